import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /support/conversations`: a customer opens a support chat (what a help widget asks the backend for). */
export class OpenSupportConversationDto {
  /** The customer, a contact in your CRM; passed to Pathors as a session variable, stored on the ticket. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  readonly crmContactId!: string;

  /** What the customer needs help with; a session variable the support pathway can use. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  readonly issue!: string;
}
