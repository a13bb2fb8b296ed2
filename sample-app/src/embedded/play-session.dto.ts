import { IsBoolean, IsIn, IsOptional } from 'class-validator';

/** `POST /demo/sessions`: what conversation the embedded simulator plays. */
export class PlaySessionDto {
  /** `call`: an outbound call (call.ended, session.finalized with call fields, recording.ready); `text`: a chat. */
  @IsIn(['call', 'text'])
  readonly kind!: 'call' | 'text';

  /** Deliver every webhook twice, as Pathors may: the outcome must still be stored once. */
  @IsOptional()
  @IsBoolean()
  readonly duplicates?: boolean;

  /** Deliver the webhooks in reverse order (session.finalized first). */
  @IsOptional()
  @IsBoolean()
  readonly reorder?: boolean;
}
