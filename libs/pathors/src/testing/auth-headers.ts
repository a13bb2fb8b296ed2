import { randomUUID } from 'node:crypto';
import { computeStandardWebhookSignature } from '../webhooks/standard-webhooks.js';

/** The header a shared-secret delivery carries: `Authorization: Bearer <secret>` by default. */
export function sharedSecretHeaders(secret: string, header = 'authorization'): Record<string, string> {
  const name = header.toLowerCase();
  return { [name]: name === 'authorization' ? `Bearer ${secret}` : secret };
}

/** Options of {@link standardWebhookHeaders}. */
export interface SigningOptions {
  /** Message id; a fresh one by default. */
  readonly id?: string;
  /** Unix seconds; now by default. */
  readonly timestamp?: number;
  /** Header prefix Pathors may use. */
  readonly prefix?: 'webhook' | 'svix';
}

/** The Standard Webhooks headers that sign `body` (the exact bytes sent) with a `whsec_…` secret. */
export function standardWebhookHeaders(
  signingSecret: string,
  body: string | Buffer,
  options: SigningOptions = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const key = Buffer.from(signingSecret.replace(/^whsec_/, ''), 'base64');
  const prefix = options.prefix ?? 'webhook';
  return {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: timestamp,
    [`${prefix}-signature`]: computeStandardWebhookSignature(key, id, timestamp, body),
  };
}
