import { PathorsConfigurationError } from './pathors.errors.js';
import type { PathorsModuleOptions } from './pathors.options.js';

/** Default base URL of the Pathors API. */
export const DEFAULT_PATHORS_BASE_URL = 'https://api.pathors.com';
/** Default route of the webhook endpoint, below the global prefix. */
export const DEFAULT_WEBHOOK_PATH = 'pathors/webhooks';
/** Default largest accepted webhook body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Webhook options with every default applied and every secret normalised to a list. */
export interface ResolvedWebhookOptions {
  readonly enabled: boolean;
  readonly path: string;
  readonly secrets: readonly string[];
  readonly secretHeader: string;
  readonly signingKeys: readonly Buffer[];
  readonly toleranceSeconds: number;
  readonly verify: boolean;
  readonly maxBodyBytes: number;
}

/** {@link PathorsModuleOptions} resolved once at boot; what every internal collaborator reads. */
export interface ResolvedPathorsOptions {
  readonly apiKey?: string;
  readonly projectId?: string;
  readonly baseUrl: string;
  readonly webhook: ResolvedWebhookOptions;
}

const fail = (option: string, problem: string, fix: string): never => {
  throw new PathorsConfigurationError(`PathorsModule option "${option}" ${problem}. ${fix}`);
};

const optionalString = (value: unknown, option: string): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') fail(option, `must be a string, got ${typeof value}`, 'Pass a string or leave it unset.');
  return value as string;
};

const secretList = (value: unknown, option: string): string[] => {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : [value];
  list.forEach((entry, index) => {
    if (typeof entry !== 'string' || entry.trim() === '') {
      fail(`${option}[${index}]`, 'must be a non-empty string', 'Remove the empty entry or set the secret.');
    }
  });
  return list as string[];
};

const decodeSigningSecret = (secret: string, option: string): Buffer => {
  if (!secret.startsWith('whsec_')) {
    fail(option, 'must start with "whsec_"', 'Copy the signing secret exactly as Pathors shows it.');
  }
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  if (key.length < 16) {
    fail(option, 'is not a base64 key of at least 16 bytes after "whsec_"', 'Copy the whole signing secret.');
  }
  return key;
};

const positiveInteger = (value: unknown, option: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    fail(option, `must be a positive integer, got ${String(value)}`, `Leave it unset for the default (${fallback}).`);
  }
  return value as number;
};

const normalisePath = (path: string): string => path.replace(/^\/+|\/+$/g, '');

/**
 * Applies defaults to the user's options and validates them, throwing a {@link PathorsConfigurationError}
 * that names the option and the fix. Runs once, at boot.
 */
export function resolvePathorsOptions(options: PathorsModuleOptions | undefined): ResolvedPathorsOptions {
  const input = options ?? {};
  const webhook = input.webhook ?? {};
  const baseUrl = optionalString(input.baseUrl, 'baseUrl') ?? DEFAULT_PATHORS_BASE_URL;
  try {
    new URL(baseUrl);
  } catch {
    fail('baseUrl', `is not an absolute URL ("${baseUrl}")`, 'Use a URL such as https://api.pathors.com.');
  }

  const enabled = webhook.enabled ?? true;
  const verify = webhook.verify ?? true;
  const secrets = secretList(webhook.secret, 'webhook.secret');
  const signingKeys = secretList(webhook.signingSecret, 'webhook.signingSecret').map((secret, index) =>
    decodeSigningSecret(secret, `webhook.signingSecret[${index}]`),
  );
  if (enabled && verify && secrets.length === 0 && signingKeys.length === 0) {
    fail(
      'webhook.secret',
      'is not set, so no webhook could be authenticated',
      'Set webhook.secret (the value Pathors sends in postSessionWebhook.headers) or webhook.signingSecret (whsec_…); ' +
        'for a local experiment only, set webhook.verify: false; in an API-only app, set webhook.enabled: false.',
    );
  }
  const path = normalisePath(optionalString(webhook.path, 'webhook.path') ?? DEFAULT_WEBHOOK_PATH);
  if (enabled && path === '') {
    fail('webhook.path', 'is empty', `Leave it unset for the default ("${DEFAULT_WEBHOOK_PATH}").`);
  }
  const secretHeader = (optionalString(webhook.secretHeader, 'webhook.secretHeader') ?? 'authorization').toLowerCase();
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(secretHeader)) {
    fail('webhook.secretHeader', `is not a valid HTTP header name ("${secretHeader}")`, 'Use a name such as x-pathors-secret.');
  }

  return {
    apiKey: optionalString(input.apiKey, 'apiKey'),
    projectId: optionalString(input.projectId, 'projectId'),
    baseUrl: baseUrl.replace(/\/+$/, ''),
    webhook: {
      enabled,
      path,
      secrets,
      secretHeader,
      signingKeys,
      toleranceSeconds: positiveInteger(webhook.toleranceSeconds, 'webhook.toleranceSeconds', 300),
      verify,
      maxBodyBytes: positiveInteger(webhook.maxBodyBytes, 'webhook.maxBodyBytes', DEFAULT_MAX_BODY_BYTES),
    },
  };
}
