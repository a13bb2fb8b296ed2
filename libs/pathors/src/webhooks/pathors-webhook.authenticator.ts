import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedWebhookOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import type { ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { ConstantTimeSecrets } from './constant-time.js';
import {
  readStandardWebhookHeaders,
  verifyStandardWebhook,
  type SignatureFailure,
} from './standard-webhooks.js';

/** Why a webhook request was not authenticated. */
export type AuthenticationFailure =
  | 'credential-missing'
  | 'secret-mismatch'
  | SignatureFailure
  /** A signature must be checked, but the app was created without `rawBody: true`: our side's fault. */
  | 'raw-body-unavailable';

/** The parts of a request authentication reads. Header names are lower case, as Node gives them. */
export interface AuthenticationInput {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawBody?: Buffer;
}

const BEARER = /^bearer[ \t]+\S+[ \t]*$/i;
const BEARER_SCHEME_LENGTH = 'bearer'.length;

/**
 * Decides whether a webhook request comes from Pathors: the shared secret in the configured header (several secrets
 * accepted during a rotation) or a Standard Webhooks signature; either configured mechanism suffices. Every
 * comparison runs in constant time.
 */
@Injectable()
export class PathorsWebhookAuthenticator {
  private readonly options: ResolvedWebhookOptions;
  private readonly secrets: ConstantTimeSecrets;

  constructor(@Inject(PATHORS_RESOLVED_OPTIONS) options: ResolvedPathorsOptions) {
    this.options = options.webhook;
    this.secrets = new ConstantTimeSecrets(options.webhook.secrets);
  }

  /**
   * Returns undefined when the request is authentic, otherwise the most specific reason it is not. `nowMs` is the time
   * a signature's timestamp is checked against (default: now).
   */
  authenticate(request: AuthenticationInput, nowMs?: number): AuthenticationFailure | undefined {
    const { verify, secrets, signingKeys } = this.options;
    if (!verify) return undefined;

    let failure: AuthenticationFailure = 'credential-missing';
    if (secrets.length > 0) {
      const offered = this.offeredSecret(request.headers);
      if (offered !== undefined) {
        if (this.secrets.matchesAny(offered)) return undefined;
        failure = 'secret-mismatch';
      }
    }
    if (signingKeys.length > 0) {
      const signed = readStandardWebhookHeaders(request.headers);
      if (signed.signature !== undefined || signed.id !== undefined || failure === 'credential-missing') {
        if (signed.signature !== undefined && !request.rawBody) return 'raw-body-unavailable';
        const signatureFailure = verifyStandardWebhook(
          signingKeys,
          signed,
          request.rawBody ?? Buffer.alloc(0),
          this.options.toleranceSeconds,
          nowMs ?? Date.now(),
        );
        if (signatureFailure === undefined) return undefined;
        if (signatureFailure !== 'signature-headers-missing' || failure === 'credential-missing') {
          failure =
            signatureFailure === 'signature-headers-missing' ? 'credential-missing' : signatureFailure;
        }
      }
    }
    return failure;
  }

  private offeredSecret(headers: AuthenticationInput['headers']): string | undefined {
    const raw = headers[this.options.secretHeader];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === '') return undefined;
    if (this.options.secretHeader !== 'authorization') return value.trim();
    // The pattern guarantees "bearer", blanks, the token, blanks: trimming what follows "bearer" leaves the token.
    return BEARER.test(value) ? value.slice(BEARER_SCHEME_LENGTH).trim() : '';
  }
}
