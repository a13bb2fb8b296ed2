import { MemoryIdempotencyStore } from './delivery/memory-idempotency.store.js';
import { PathorsIdempotencyStore } from './delivery/pathors-idempotency.store.js';
import { PathorsInbox } from './delivery/pathors-inbox.js';
import { PathorsConfigurationError } from './pathors.errors.js';
import { DEFAULT_PATHORS_REGISTRATION } from './pathors-registration.js';
import type {
  PathorsModuleOptions,
  PathorsRetryOptions,
  PathorsWebhookOptions,
  PathorsWebhookRouteOptions,
} from './pathors.options.js';

/** Default base URL of the Pathors API. */
export const DEFAULT_PATHORS_BASE_URL = 'https://api.pathors.com';
/** Default route of the webhook endpoint, below the global prefix. */
export const DEFAULT_WEBHOOK_PATH = 'pathors/webhooks';
/** Default largest accepted webhook body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default per-request timeout of API calls. */
export const DEFAULT_API_TIMEOUT_MS = 30_000;
/** Default retry policy of API calls that are safe to repeat. */
export const DEFAULT_API_RETRY: ResolvedRetryOptions = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5000 };

/** Retry policy with every default applied. */
export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Boot-time webhook registration, validated. */
export interface ResolvedWebhookRegistration {
  readonly publicUrl: string;
  readonly required: boolean;
}

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
  readonly register?: ResolvedWebhookRegistration;
}

/** Pathors gives up on a delivery not answered within 15 s; the answer budget must stay below. */
export const PATHORS_ANSWER_LIMIT_MS = 15_000;
/** Default answer budget: 10 s. */
export const DEFAULT_ANSWER_BUDGET_MS = 10_000;

/** Delivery options with every default applied. */
export interface ResolvedDeliveryOptions {
  readonly store: PathorsIdempotencyStore;
  readonly claimLeaseMs: number;
  readonly ordering: { readonly enabled: boolean; readonly holdMs: number };
  readonly answerBudgetMs: number;
  readonly inbox?: PathorsInbox;
  readonly shutdownTimeoutMs: number;
}

/** Where a registration's webhook is mounted: fixed when the module is defined, before any option resolves. */
export interface PathorsWebhookRoute {
  /** The registration's name (`'default'` when unnamed). */
  readonly registration: string;
  readonly enabled: boolean;
  /** Normalised, without leading or trailing slashes. */
  readonly path: string;
  readonly decorators: readonly ClassDecorator[];
}

/** {@link PathorsModuleOptions} resolved once at boot; what every internal collaborator reads. */
export interface ResolvedPathorsOptions {
  /** The registration's name (`'default'` when unnamed). */
  readonly registration: string;
  readonly apiKey?: string;
  readonly projectId?: string;
  readonly baseUrl: string;
  readonly apiStyle: 'v1' | 'legacy';
  readonly timeoutMs: number;
  readonly retry: ResolvedRetryOptions;
  readonly webhook: ResolvedWebhookOptions;
  readonly delivery: ResolvedDeliveryOptions;
}

const fail = (option: string, problem: string, fix: string): never => {
  throw new PathorsConfigurationError(`PathorsModule option "${option}" ${problem}. ${fix}`);
};

const optionalString = (value: unknown, option: string): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    fail(option, `must be a string, got ${typeof value}`, 'Pass a string or leave it unset.');
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
    fail(
      option,
      `must be a positive integer, got ${String(value)}`,
      `Leave it unset for the default (${fallback}).`,
    );
  }
  return value as number;
};

const resolveRetry = (retry: PathorsRetryOptions | undefined): ResolvedRetryOptions => {
  const maxAttempts = positiveInteger(retry?.maxAttempts, 'retry.maxAttempts', DEFAULT_API_RETRY.maxAttempts);
  const baseDelayMs = positiveInteger(retry?.baseDelayMs, 'retry.baseDelayMs', DEFAULT_API_RETRY.baseDelayMs);
  const maxDelayMs = positiveInteger(retry?.maxDelayMs, 'retry.maxDelayMs', DEFAULT_API_RETRY.maxDelayMs);
  if (maxDelayMs < baseDelayMs) {
    fail(
      'retry.maxDelayMs',
      `(${maxDelayMs}) is below retry.baseDelayMs (${baseDelayMs})`,
      'Raise it or lower baseDelayMs.',
    );
  }
  return { maxAttempts, baseDelayMs, maxDelayMs };
};

const resolveRegistration = (
  webhook: PathorsWebhookOptions,
  input: PathorsModuleOptions,
  enabled: boolean,
  secrets: readonly string[],
): ResolvedWebhookRegistration | undefined => {
  const register = webhook.register;
  if (register === undefined || register === null) return undefined;
  const publicUrl = optionalString(register.publicUrl, 'webhook.register.publicUrl');
  let parsed: URL | undefined;
  try {
    parsed = publicUrl ? new URL(publicUrl) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    fail(
      'webhook.register.publicUrl',
      'is not an absolute http(s) URL',
      'Use the public base URL of this app, e.g. https://abc.ngrok.app.',
    );
  }
  if (!enabled)
    fail(
      'webhook.register',
      'is set while webhook.enabled is false',
      'Remove webhook.register or enable the webhook.',
    );
  if (secrets.length === 0) {
    fail(
      'webhook.register',
      'needs webhook.secret',
      'Set webhook.secret: it is the header value Pathors will send.',
    );
  }
  for (const option of ['apiKey', 'projectId'] as const) {
    if (!input[option])
      fail(
        option,
        'is not set, but webhook.register writes the agent',
        `Set ${option} or remove webhook.register.`,
      );
  }
  return { publicUrl: (publicUrl as string).replace(/\/+$/, ''), required: register.required ?? true };
};

const instanceOf = <T>(
  value: unknown,
  type: abstract new () => T,
  option: string,
  fix: string,
): T | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof type)) fail(option, `must be an instance of ${type.name}`, fix);
  return value as T;
};

const resolveDelivery = (
  delivery: NonNullable<PathorsModuleOptions['delivery']>,
): ResolvedDeliveryOptions => {
  const answerBudgetMs = positiveInteger(
    delivery.answerBudgetMs,
    'delivery.answerBudgetMs',
    DEFAULT_ANSWER_BUDGET_MS,
  );
  if (answerBudgetMs >= PATHORS_ANSWER_LIMIT_MS) {
    fail(
      'delivery.answerBudgetMs',
      `must be below ${PATHORS_ANSWER_LIMIT_MS} (Pathors gives up after 15 s), got ${answerBudgetMs}`,
      `Leave it unset for the default (${DEFAULT_ANSWER_BUDGET_MS}).`,
    );
  }
  const claimLeaseMs = positiveInteger(delivery.claimLeaseMs, 'delivery.claimLeaseMs', 30_000);
  if (claimLeaseMs < 1_000) {
    fail(
      'delivery.claimLeaseMs',
      `must be at least 1000 (the lease is renewed every third of it), got ${claimLeaseMs}`,
      'Leave it unset for the default (30000).',
    );
  }
  return {
    store:
      instanceOf(
        delivery.store,
        PathorsIdempotencyStore,
        'delivery.store',
        'Pass new MemoryIdempotencyStore(), new RedisIdempotencyStore(redis) from nestjs-pathors/redis, or a subclass.',
      ) ?? new MemoryIdempotencyStore(),
    claimLeaseMs,
    ordering: {
      enabled: delivery.ordering?.enabled ?? false,
      holdMs: positiveInteger(delivery.ordering?.holdMs, 'delivery.ordering.holdMs', 5_000),
    },
    answerBudgetMs,
    inbox: instanceOf(
      delivery.inbox,
      PathorsInbox,
      'delivery.inbox',
      'Pass new BullMqInbox({ connection }) from nestjs-pathors/inbox, or leave it unset.',
    ),
    shutdownTimeoutMs: positiveInteger(delivery.shutdownTimeoutMs, 'delivery.shutdownTimeoutMs', 10_000),
  };
};

const normalisePath = (path: string): string => path.replace(/^\/+|\/+$/g, '');

/**
 * The route of a registration's webhook, from what `forRoot()` / `forRootAsync()` were given, validated when the
 * module is defined.
 */
export function resolveWebhookRoute(
  name: string | undefined,
  webhook: PathorsWebhookRouteOptions | undefined,
): PathorsWebhookRoute {
  if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name))) {
    fail(
      'name',
      `must be letters, digits, "-" or "_", got ${JSON.stringify(name)}`,
      'Use a name such as "sales".',
    );
  }
  const registration = name ?? DEFAULT_PATHORS_REGISTRATION;
  const enabled = webhook?.enabled ?? true;
  if (typeof enabled !== 'boolean') fail('webhook.enabled', 'must be a boolean', 'Pass true or false.');
  const defaultPath =
    registration === DEFAULT_PATHORS_REGISTRATION
      ? DEFAULT_WEBHOOK_PATH
      : `${DEFAULT_WEBHOOK_PATH}/${registration}`;
  const path = normalisePath(optionalString(webhook?.path, 'webhook.path') ?? defaultPath);
  if (enabled && path === '') {
    fail('webhook.path', 'is empty', `Leave it unset for the default ("${defaultPath}").`);
  }
  const decorators = webhook?.decorators ?? [];
  if (!Array.isArray(decorators) || decorators.some((decorator) => typeof decorator !== 'function')) {
    fail('webhook.decorators', 'must be an array of class decorators', 'Pass e.g. [SkipThrottle()].');
  }
  return { registration, enabled, path, decorators };
}

/** Fails when async options set a route part that differs from the one the module was defined with. */
function checkRouteUnchanged(webhook: PathorsWebhookOptions, route: PathorsWebhookRoute): void {
  const given = {
    enabled: webhook.enabled,
    path: typeof webhook.path === 'string' ? normalisePath(webhook.path) : webhook.path,
  };
  for (const option of ['enabled', 'path'] as const) {
    if (given[option] !== undefined && given[option] !== route[option]) {
      fail(
        `webhook.${option}`,
        `(${String(given[option])}) differs from the route the module was defined with (${String(route[option])})`,
        `Routes are mounted before async options resolve: pass it as forRootAsync({ webhook: { ${option} }, … }).`,
      );
    }
  }
}

/**
 * Applies defaults to the user's options and validates them, throwing a {@link PathorsConfigurationError}
 * that names the option and the fix. Runs once, at boot. `route` is the webhook route the module was defined with;
 * without it, the one `options` describe.
 */
export function resolvePathorsOptions(
  options: PathorsModuleOptions | undefined,
  route: PathorsWebhookRoute = resolveWebhookRoute(undefined, options?.webhook),
): ResolvedPathorsOptions {
  const input = options ?? {};
  const webhook = input.webhook ?? {};
  checkRouteUnchanged(webhook, route);
  const baseUrl = optionalString(input.baseUrl, 'baseUrl') ?? DEFAULT_PATHORS_BASE_URL;
  try {
    new URL(baseUrl);
  } catch {
    fail('baseUrl', `is not an absolute URL ("${baseUrl}")`, 'Use a URL such as https://api.pathors.com.');
  }

  const { enabled, path } = route;
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
  const apiStyle = input.apiStyle ?? 'v1';
  if (apiStyle !== 'v1' && apiStyle !== 'legacy') {
    fail('apiStyle', `must be 'v1' or 'legacy', got ${String(apiStyle)}`, "Leave it unset for 'v1'.");
  }
  const secretHeader = (
    optionalString(webhook.secretHeader, 'webhook.secretHeader') ?? 'authorization'
  ).toLowerCase();
  if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(secretHeader)) {
    fail(
      'webhook.secretHeader',
      `is not a valid HTTP header name ("${secretHeader}")`,
      'Use a name such as x-pathors-secret.',
    );
  }

  return {
    registration: route.registration,
    apiKey: optionalString(input.apiKey, 'apiKey'),
    projectId: optionalString(input.projectId, 'projectId'),
    baseUrl: baseUrl.replace(/\/+$/, ''),
    apiStyle,
    timeoutMs: positiveInteger(input.timeoutMs, 'timeoutMs', DEFAULT_API_TIMEOUT_MS),
    retry: resolveRetry(input.retry),
    webhook: {
      enabled,
      path,
      secrets,
      secretHeader,
      signingKeys,
      toleranceSeconds: positiveInteger(webhook.toleranceSeconds, 'webhook.toleranceSeconds', 300),
      verify,
      maxBodyBytes: positiveInteger(webhook.maxBodyBytes, 'webhook.maxBodyBytes', DEFAULT_MAX_BODY_BYTES),
      register: resolveRegistration(webhook, input, enabled, secrets),
    },
    delivery: resolveDelivery(input.delivery ?? {}),
  };
}
