// The webhook's authenticator is a decorated Nest provider: its metadata needs the polyfill loaded first.
import 'reflect-metadata';
import { PathorsConfigurationError } from '../pathors.errors.js';
import { resolvePathorsOptions } from '../pathors-options.resolver.js';
import {
  PathorsWebhookAuthenticator,
  type AuthenticationFailure,
} from '../webhooks/pathors-webhook.authenticator.js';
import { readStandardWebhookHeaders, verifyStandardWebhook } from '../webhooks/standard-webhooks.js';
import type { CapturedRequest } from './captured-request.js';
import { usageError } from './cli-exit-codes.js';

/** What `verify` checks a captured request against: the app's webhook options. */
export interface VerifyCredentials {
  /** `webhook.secret`. */
  readonly secret?: string;
  /** `webhook.secretHeader`, lower case. */
  readonly secretHeader: string;
  /** `webhook.signingSecret` (`whsec_…`). */
  readonly signingSecret?: string;
  /** `webhook.toleranceSeconds`. */
  readonly toleranceSeconds: number;
}

/** The step at which a mechanism refused the request. */
export type VerifyStep =
  | 'header-missing'
  | 'secret-mismatch'
  | 'timestamp-invalid'
  | 'timestamp-outside-tolerance'
  | 'body-changed'
  | 'signature-mismatch';

/** The verdict of one mechanism (shared secret or signature) on a captured request. */
export interface MechanismVerdict {
  /** `shared secret (<header>)` or `Standard Webhooks signature`. */
  readonly mechanism: string;
  /** Whether this mechanism accepts the request. */
  readonly authentic: boolean;
  /** Where it refused the request; absent when authentic. */
  readonly step?: VerifyStep;
  /** What a person should check, without any secret. */
  readonly detail: string;
}

/** The verdict on a captured request: authentic when one configured mechanism accepts it, as the webhook decides. */
export interface VerifyVerdict {
  /** One mechanism accepts the request. */
  readonly authentic: boolean;
  /** One verdict per configured mechanism. */
  readonly mechanisms: readonly MechanismVerdict[];
}

const SIGNATURE_HEADERS = ['id', 'timestamp', 'signature'] as const;

/** Re-encodings a proxy or a framework commonly applies to a JSON body between the sender and the app. */
function bodyVariants(body: Buffer): Array<[string, Buffer]> {
  const text = body.toString('utf8');
  const variants: Array<[string, string]> = [
    ['trailing whitespace removed', text.trimEnd()],
    ['a trailing newline added', `${text}\n`],
    ['CRLF line endings turned into LF', text.replace(/\r\n/g, '\n')],
  ];
  try {
    const parsed: unknown = JSON.parse(text);
    variants.push(['re-serialised as compact JSON', JSON.stringify(parsed)]);
    variants.push(['re-serialised as indented JSON', JSON.stringify(parsed, null, 2)]);
  } catch {
    // Not JSON: only the whitespace variants apply.
  }
  return variants
    .filter(([, variant]) => variant !== text)
    .map(([label, variant]) => [label, Buffer.from(variant)]);
}

function describe(
  failure: AuthenticationFailure,
  request: CapturedRequest,
  credentials: VerifyCredentials,
  keys: readonly Buffer[],
  nowMs: number,
): { step: VerifyStep; detail: string } {
  const signed = readStandardWebhookHeaders(request.headers);
  switch (failure) {
    case 'credential-missing':
    case 'signature-headers-missing': {
      if (keys.length === 0)
        return { step: 'header-missing', detail: `no "${credentials.secretHeader}" header` };
      const prefix = SIGNATURE_HEADERS.some((name) => request.headers[`svix-${name}`] !== undefined)
        ? 'svix'
        : 'webhook';
      const missing = SIGNATURE_HEADERS.map((name) => `${prefix}-${name}`).filter(
        (name) => !request.headers[name],
      );
      const other = prefix === 'svix' ? 'webhook-*' : 'svix-*';
      return {
        step: 'header-missing',
        detail: `missing ${missing.join(', ')} (or their ${other} equivalents)`,
      };
    }
    case 'secret-mismatch': {
      const value = request.headers[credentials.secretHeader] ?? '';
      const bearerMissing = credentials.secretHeader === 'authorization' && !/^bearer\s/i.test(value);
      return {
        step: 'secret-mismatch',
        detail: bearerMissing
          ? 'the authorization header is not "Bearer <secret>"'
          : `the "${credentials.secretHeader}" header carries a different secret`,
      };
    }
    case 'timestamp-invalid':
      return {
        step: 'timestamp-invalid',
        detail: `webhook-timestamp "${signed.timestamp}" is not Unix seconds`,
      };
    case 'timestamp-outside-tolerance': {
      const signedAt = Number(signed.timestamp);
      const age = Math.round(nowMs / 1000 - signedAt);
      const when = age >= 0 ? `${age} s before` : `${-age} s after`;
      return {
        step: 'timestamp-outside-tolerance',
        detail:
          `signed at ${new Date(signedAt * 1000).toISOString()}, ${when} now (tolerance ${credentials.toleranceSeconds} s): ` +
          'a replay, or clocks out of sync; check an old capture with --now <unix seconds>',
      };
    }
    default: {
      const verify = (body: Buffer) =>
        verifyStandardWebhook(keys, signed, body, credentials.toleranceSeconds, nowMs);
      const variant = bodyVariants(request.body).find(([, body]) => verify(body) === undefined);
      if (variant) {
        return {
          step: 'body-changed',
          detail: `the body was altered after signing (${variant[0]} matches the signature): verify over the raw bytes`,
        };
      }
      const note = request.bodyReserialized
        ? '; the capture holds the body as JSON, not the exact bytes signed'
        : '';
      return {
        step: 'signature-mismatch',
        detail: `no signature matches: signed with another secret, or the body changed after signing${note}`,
      };
    }
  }
}

/**
 * Decides whether a captured request authenticates, with the webhook's own authenticator (the verdict is the app's),
 * and says at which step each configured mechanism refused it.
 */
export function verifyCapturedRequest(
  request: CapturedRequest,
  credentials: VerifyCredentials,
  nowMs: number = Date.now(),
): VerifyVerdict {
  const mechanisms: MechanismVerdict[] = [];
  const check = (mechanism: string, webhook: { secret?: string; signingSecret?: string }) => {
    let options;
    try {
      options = resolvePathorsOptions({
        webhook: {
          ...webhook,
          secretHeader: credentials.secretHeader,
          toleranceSeconds: credentials.toleranceSeconds,
        },
      });
    } catch (error) {
      if (error instanceof PathorsConfigurationError) throw usageError(error.message);
      throw error;
    }
    const failure = new PathorsWebhookAuthenticator(options).authenticate(
      { headers: request.headers, rawBody: request.body },
      nowMs,
    );
    if (failure === undefined) {
      mechanisms.push({ mechanism, authentic: true, detail: 'authentic' });
    } else {
      mechanisms.push({
        mechanism,
        authentic: false,
        ...describe(failure, request, credentials, options.webhook.signingKeys, nowMs),
      });
    }
  };
  if (credentials.secret)
    check(`shared secret (${credentials.secretHeader})`, { secret: credentials.secret });
  if (credentials.signingSecret)
    check('Standard Webhooks signature', { signingSecret: credentials.signingSecret });
  if (mechanisms.length === 0)
    throw usageError('Pass --secret or --signing-secret: the credential to verify against.');
  return { authentic: mechanisms.some((verdict) => verdict.authentic), mechanisms };
}
