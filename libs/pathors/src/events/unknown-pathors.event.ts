import type { PathorsDialect } from './pathors-event.map.js';

/**
 * An event whose name this version of the module does not know (Pathors adds events). It reaches only catch-all
 * handlers (`@OnPathorsEvent('*')`), carries every field of the payload as it came, and is answered 202.
 */
export class UnknownPathorsEvent {
  /** The event name as sent (`event` or `eventType`). */
  readonly name!: string;
  /** Which dialect's discriminator carried the name. */
  readonly dialect!: PathorsDialect;
  /** Every field of the payload. */
  [field: string]: unknown;
}
