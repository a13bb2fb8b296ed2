import { sharedSecretHeaders, standardWebhookHeaders } from '../testing/auth-headers.js';
import { CLI_EXIT, PathorsCliError, usageError } from './cli-exit-codes.js';

/** The credentials the CLI authenticates deliveries with, as the app's `PathorsModule` webhook options name them. */
export interface WebhookCredentials {
  /** Shared secret (`webhook.secret`). */
  readonly secret?: string;
  /** Header carrying the shared secret (`webhook.secretHeader`). */
  readonly secretHeader: string;
  /** Standard Webhooks signing secret (`webhook.signingSecret`, `whsec_…`). */
  readonly signingSecret?: string;
}

/** The answer to one delivery. */
export interface SentDelivery {
  /** HTTP status answered. */
  readonly status: number;
  /** Response body text. */
  readonly body: string;
  /** Time from sending the request to the end of the response body. */
  readonly latencyMs: number;
}

/** Pathors' answer budget: a delivery not answered within 15 s counts as failed. */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** Checks a `--url` value; an invalid one is a usage error. */
export function parseWebhookUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(
      `--url "${value}" is not an absolute URL. Use e.g. http://localhost:3000/pathors/webhooks`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`--url must be http:// or https://, got ${url.protocol}`);
  }
  return url;
}

/** Refuses to send unauthenticated deliveries unless asked to, and checks the signing secret's form. */
export function checkCredentials(credentials: WebhookCredentials, insecure: boolean): void {
  if (!credentials.secret && !credentials.signingSecret && !insecure) {
    throw usageError(
      'No credential: pass --secret (or PATHORS_WEBHOOK_SECRET), --signing-secret (or PATHORS_WEBHOOK_SIGNING_SECRET), ' +
        'or --insecure for an app with webhook.verify: false.',
    );
  }
  checkCredentialValues(credentials);
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What no header value can carry. */
const NOT_IN_A_HEADER = /[\0\r\n]/;

/**
 * Checks the given credentials' form, naming the option at fault and never echoing a secret: a value no header can
 * carry would otherwise fail inside `fetch` with a message that quotes it.
 */
export function checkCredentialValues(
  credentials: Pick<WebhookCredentials, 'secret' | 'secretHeader' | 'signingSecret'>,
): void {
  if (!HEADER_NAME.test(credentials.secretHeader)) {
    throw usageError(`--secret-header "${credentials.secretHeader}" is not an HTTP header name.`);
  }
  if (credentials.secret !== undefined && NOT_IN_A_HEADER.test(credentials.secret)) {
    throw usageError('--secret contains a line break or a NUL character, which no HTTP header can carry.');
  }
  if (credentials.signingSecret !== undefined && !credentials.signingSecret.startsWith('whsec_')) {
    throw usageError(
      '--signing-secret must start with "whsec_": copy the signing secret exactly as Pathors shows it.',
    );
  }
}

/**
 * The headers of one delivery: JSON content type, the shared secret when given, and a Standard Webhooks signature of
 * `body` when a signing secret is given (both when both are: the app accepts either).
 */
export function deliveryHeaders(
  credentials: WebhookCredentials,
  body: string,
  messageId?: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(credentials.secret ? sharedSecretHeaders(credentials.secret, credentials.secretHeader) : {}),
    ...(credentials.signingSecret
      ? standardWebhookHeaders(credentials.signingSecret, body, { id: messageId })
      : {}),
  };
}

/** POSTs one delivery; an unreachable endpoint or a timeout is a {@link PathorsCliError} with exit code 3. */
export async function postWebhook(
  url: URL,
  body: string,
  headers: Record<string, string>,
): Promise<SentDelivery> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, body: text, latencyMs: performance.now() - started };
  } catch (error) {
    const cause =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
        : cause;
    throw new PathorsCliError(`Could not reach ${url.origin}: ${reason}`, CLI_EXIT.unreachable);
  }
}
