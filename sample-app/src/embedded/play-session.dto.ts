import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { FOLLOW_UP_AGENT, SUPPORT_AGENT, type SampleAgent } from '../config/agents.js';

/** `POST /demo/sessions`: what conversation the embedded simulator plays. */
export class PlaySessionDto {
  /** `call`: a phone call (call.ended, session.finalized with call fields, recording.ready); `text`: a chat. */
  @IsIn(['call', 'text'])
  readonly kind!: 'call' | 'text';

  /**
   * Which agent talks: `default`, the follow-up agent (an outbound call or a chat it opens with a CRM contact), or
   * `support` (a customer's incoming call or support chat). The name of the agent's `PathorsModule` registration.
   * @default 'default'
   */
  @IsOptional()
  @IsIn([FOLLOW_UP_AGENT, SUPPORT_AGENT])
  readonly agent?: SampleAgent;

  /** Deliver every webhook twice, as Pathors may: the outcome must still be stored once. */
  @IsOptional()
  @IsBoolean()
  readonly duplicates?: boolean;

  /** Deliver the webhooks in reverse order (session.finalized first). */
  @IsOptional()
  @IsBoolean()
  readonly reorder?: boolean;
}
