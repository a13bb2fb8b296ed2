import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** `POST /follow-ups/conversations`: start a text follow-up with a CRM contact. */
export class StartConversationDto {
  /** The contact in your CRM; passed to Pathors as a session variable, stored with the outcome. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  readonly crmContactId!: string;

  /** What the agent should follow up on; a session variable the pathway can use. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  readonly topic?: string;
}

/** `POST /follow-ups/calls`: call a CRM contact. */
export class StartCallDto {
  /** The contact in your CRM; passed to Pathors as a dynamic variable of the call. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  readonly crmContactId!: string;

  /** The number to call, E.164. */
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'toNumber must be an E.164 phone number such as +14155550123' })
  readonly toNumber!: string;
}
