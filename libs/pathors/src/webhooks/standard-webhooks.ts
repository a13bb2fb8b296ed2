import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time.js';

/** The three Standard Webhooks headers of a signed delivery, whichever prefix (`webhook-` or `svix-`) carried them. */
export interface StandardWebhookHeaders {
  readonly id?: string;
  readonly timestamp?: string;
  readonly signature?: string;
}

/** Why a Standard Webhooks signature was refused, step by step. */
export type SignatureFailure =
  'signature-headers-missing' | 'timestamp-invalid' | 'timestamp-outside-tolerance' | 'signature-mismatch';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** Reads the `webhook-*` headers, or the `svix-*` ones when those are absent. Header names are lower case. */
export function readStandardWebhookHeaders(headers: HeaderBag): StandardWebhookHeaders {
  const prefix = headers['webhook-signature'] !== undefined ? 'webhook' : 'svix';
  return {
    id: single(headers[`${prefix}-id`]),
    timestamp: single(headers[`${prefix}-timestamp`]),
    signature: single(headers[`${prefix}-signature`]),
  };
}

/** The `v1,<base64>` signature of `id.timestamp.body` with the decoded key of a `whsec_` secret. */
export function computeStandardWebhookSignature(
  key: Buffer,
  id: string,
  timestamp: string,
  body: Buffer | string,
): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/**
 * Verifies a Standard Webhooks delivery: the timestamp within `toleranceSeconds` of `now` (past or future), and one of
 * the space-separated `v1,…` signatures matching one of the keys, compared in constant time.
 */
export function verifyStandardWebhook(
  keys: readonly Buffer[],
  headers: StandardWebhookHeaders,
  body: Buffer,
  toleranceSeconds: number,
  nowMs: number = Date.now(),
): SignatureFailure | undefined {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return 'signature-headers-missing';
  if (!/^\d{1,12}$/.test(timestamp)) return 'timestamp-invalid';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return 'timestamp-outside-tolerance';

  const offered = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .slice(0, 16);
  let matched = false;
  for (const key of keys) {
    const expected = computeStandardWebhookSignature(key, id, timestamp, body);
    // No early exit: every candidate is compared, so timing does not tell which one matched.
    for (const candidate of offered) matched = constantTimeEqual(candidate, expected) || matched;
  }
  return matched ? undefined : 'signature-mismatch';
}
