/**
 * One delivery as the durable inbox keeps it and as a dead-letter export writes it (one JSON object per line):
 * the headers that matter to processing and the body. Never holds the webhook secret or a signature.
 */
export interface PathorsDeliveryRecord {
  /** The event's idempotency key (see {@link PathorsDelivery.idempotencyKey}). */
  readonly idempotencyKey: string;
  /** The event name as sent. */
  readonly eventName: string;
  /** When the webhook received it (ISO 8601). */
  readonly receivedAt: string;
  /**
   * `content-type`, `webhook-id` when the delivery carried a message id, and the webhook's trace context
   * (`traceparent`, `tracestate`) when the app runs an OpenTelemetry SDK.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body as received. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** A delivery the inbox gave up on after its last attempt. */
export interface PathorsDeadLetter {
  /** The inbox's id of the entry; pass it to {@link PathorsDeadLetterService.replay}. */
  readonly id: string;
  /** The delivery as persisted. */
  readonly record: PathorsDeliveryRecord;
  /** Attempts made. */
  readonly attempts: number;
  /** The last error's message. */
  readonly failedReason: string;
  /** When the last attempt failed. */
  readonly failedAt?: Date;
}

/** One line of a JSON Lines export: a {@link PathorsDeliveryRecord}, plus the dead letter's fields when it is one. */
export interface PathorsDeliveryRecordLine extends PathorsDeliveryRecord {
  /** Present in a dead-letter export: {@link PathorsDeadLetter}'s fields, `failedAt` as ISO 8601. */
  readonly deadLetter?: {
    readonly id: string;
    readonly attempts: number;
    readonly failedReason: string;
    readonly failedAt?: string;
  };
}

/** The JSON Lines line (with its `\n`) of a dead letter, as `PathorsDeadLetterService.exportJsonLines()` writes it. */
export function toDeliveryRecordLine(deadLetter: PathorsDeadLetter): string {
  const line: PathorsDeliveryRecordLine = {
    ...deadLetter.record,
    deadLetter: {
      id: deadLetter.id,
      attempts: deadLetter.attempts,
      failedReason: deadLetter.failedReason,
      failedAt: deadLetter.failedAt?.toISOString(),
    },
  };
  return `${JSON.stringify(line)}\n`;
}

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((entry) => typeof entry === 'string');

/**
 * Reads one line of a JSON Lines export back (e.g. for a `replay` command), checking its shape.
 * Throws a `TypeError` naming the broken field.
 *
 * @example
 * ```ts
 * for await (const line of readline.createInterface({ input: createReadStream('dead-letters.jsonl') })) {
 *   if (line.trim()) await post(parseDeliveryRecordLine(line));
 * }
 * ```
 */
export function parseDeliveryRecordLine(line: string): PathorsDeliveryRecordLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TypeError('Delivery record line is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('Delivery record line must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  for (const field of ['idempotencyKey', 'eventName', 'receivedAt'] as const) {
    if (typeof record[field] !== 'string')
      throw new TypeError(`Delivery record field "${field}" must be a string`);
  }
  if (!isStringRecord(record.headers)) {
    throw new TypeError('Delivery record field "headers" must be an object of strings');
  }
  if (typeof record.body !== 'object' || record.body === null || Array.isArray(record.body)) {
    throw new TypeError('Delivery record field "body" must be a JSON object');
  }
  return record as unknown as PathorsDeliveryRecordLine;
}
