import type { PathorsIdempotencyStore } from './delivery/pathors-idempotency.store.js';
import type { PathorsInbox } from './delivery/pathors-inbox.js';

/**
 * Options of the webhook endpoint that receives Pathors' lifecycle and platform events.
 *
 * @example
 * ```ts
 * PathorsModule.forRoot({ webhook: { path: 'hooks/pathors', secret: process.env.PATHORS_WEBHOOK_SECRET } })
 * ```
 */
export interface PathorsWebhookOptions {
  /**
   * Mount the webhook endpoint. Set `false` in API-only apps.
   * @default true
   */
  enabled?: boolean;
  /**
   * Route path of the endpoint, below the app's global prefix.
   * @default 'pathors/webhooks' ('pathors/webhooks/<name>' for a named registration)
   */
  path?: string;
  /**
   * Decorators of the host app applied to the webhook's controller class, so global guards, throttlers or
   * interceptors can exempt it by their own metadata rather than by path.
   * @example [SkipThrottle(), Public()]
   */
  decorators?: ClassDecorator[];
  /**
   * Shared secret(s) Pathors sends in the header configured in the agent's `postSessionWebhook.headers`.
   * Give several during a rotation: a request carrying any of them is accepted.
   */
  secret?: string | string[];
  /**
   * Header that carries {@link PathorsWebhookOptions.secret}. With `authorization` the value is
   * `Bearer <secret>`; with any other header it is the secret itself.
   * @default 'authorization'
   */
  secretHeader?: string;
  /**
   * Standard Webhooks signing secret(s) (`whsec_…`). Turns on HMAC-SHA256 verification of the
   * `webhook-*` / `svix-*` headers. Needs the raw request body: create the app with `{ rawBody: true }`.
   */
  signingSecret?: string | string[];
  /**
   * Largest accepted difference, in seconds, between a signature's timestamp and now.
   * @default 300
   */
  toleranceSeconds?: number;
  /**
   * Authenticate every request. `false` accepts unauthenticated webhooks and logs a warning at boot:
   * for local experiments only.
   * @default true
   */
  verify?: boolean;
  /**
   * Largest accepted request body, in bytes; a larger one is answered 413.
   * The HTTP adapter's own body-parser limit applies first (Express: 100 kB unless raised).
   * @default 1048576
   */
  maxBodyBytes?: number;
  /**
   * Register this endpoint on the Pathors agent once the app listens (opt-in). The module reads the agent, sets its
   * `postSessionWebhook` URL to `publicUrl` + the app's global prefix + {@link PathorsWebhookOptions.path}, puts the
   * first {@link PathorsWebhookOptions.secret} in the {@link PathorsWebhookOptions.secretHeader} header, subscribes
   * exactly the lifecycle events the app's `@OnPathorsEvent()` handlers listen to, and writes the agent back with every
   * other setting unchanged. Nothing is written when the agent already holds that configuration.
   * Needs `apiKey`, `projectId` and `webhook.secret`.
   *
   * @example
   * ```ts
   * webhook: { secret: process.env.PATHORS_WEBHOOK_SECRET, register: { publicUrl: 'https://abc.ngrok.app' } }
   * ```
   */
  register?: PathorsWebhookRegistrationOptions;
}

/**
 * The parts of {@link PathorsWebhookOptions} that define the route. Nest mounts routes before async options resolve, so
 * `forRootAsync()` takes them beside its factory: `forRootAsync({ webhook: { path: 'hooks/pathors' }, useFactory })`.
 */
export type PathorsWebhookRouteOptions = Pick<PathorsWebhookOptions, 'enabled' | 'path' | 'decorators'>;

/** Boot-time registration of the webhook on the Pathors agent; see {@link PathorsWebhookOptions.register}. */
export interface PathorsWebhookRegistrationOptions {
  /**
   * Public base URL under which Pathors reaches this app (scheme, host and any path a proxy adds), without the
   * global prefix and webhook path, which the module appends.
   * @example 'https://abc.ngrok.app'
   */
  publicUrl: string;
  /**
   * Registration runs once the app listens. When it fails, `true` logs the error and ends the process with exit code
   * 1, as a failed Nest boot does; `false` logs it and the app keeps running. An app that never listens (only
   * `app.init()`) does not register.
   * @default true
   */
  required?: boolean;
}

/** Retry policy of API requests that are safe to repeat (reads, `PUT`, `DELETE`, search). */
export interface PathorsRetryOptions {
  /**
   * Attempts per request, the first included. `1` turns retries off.
   * @default 3
   */
  maxAttempts?: number;
  /**
   * Delay before the first retry; each further retry doubles it, with full jitter.
   * @default 200
   */
  baseDelayMs?: number;
  /**
   * Longest delay between two attempts. A `Retry-After` longer than this is not waited for: the error is thrown.
   * @default 5000
   */
  maxDelayMs?: number;
}

/**
 * Per-session ordering of lifecycle events: `session.finalized` reaches handlers only after the handlers of the
 * same session's `session.ended` and (for a call) `call.ended` succeeded, or after `holdMs`.
 *
 * @example
 * ```ts
 * PathorsModule.forRoot({ delivery: { ordering: { enabled: true, holdMs: 3000 } } })
 * ```
 */
export interface PathorsOrderingOptions {
  /**
   * Hold an early `session.finalized` until its session's earlier events were handled. Other sessions are not held.
   * @default false
   */
  enabled?: boolean;
  /**
   * Longest time, in milliseconds, an early `session.finalized` is held; after it, it runs anyway (logged).
   * @default 5000
   */
  holdMs?: number;
}

/**
 * How deliveries become handler calls: idempotency (each handler succeeds once per event), ordering, the answer
 * budget, the optional durable inbox and shutdown draining. See docs/delivery.md.
 *
 * @example
 * ```ts
 * PathorsModule.forRoot({
 *   webhook: { secret: process.env.PATHORS_WEBHOOK_SECRET },
 *   delivery: {
 *     store: new RedisIdempotencyStore(redis),        // from 'nestjs-pathors/redis'
 *     ordering: { enabled: true },
 *     answerBudgetMs: 8000,
 *   },
 * })
 * ```
 */
export interface PathorsDeliveryOptions {
  /**
   * Where done events and succeeded handlers are recorded. Use `RedisIdempotencyStore` (`nestjs-pathors/redis`)
   * with more than one replica, or when a restart must not forget what ran.
   * @default new MemoryIdempotencyStore() (this process only; 100 000 events, 24 h)
   */
  store?: PathorsIdempotencyStore;
  /**
   * How long a claim on an event lasts without renewal, in milliseconds. The holder renews it while the handlers
   * run; if the process dies, a redelivery can run the event once the lease expired. At least 1000.
   * @default 30000
   */
  claimLeaseMs?: number;
  /** Per-session ordering of lifecycle events. */
  ordering?: PathorsOrderingOptions;
  /**
   * Longest time, in milliseconds, a webhook request is held. Past it the answer is 202 and the handlers finish in
   * the background (500 when a handler already failed, 503 when only the store's writes remain); a redelivery
   * meanwhile is answered 409. Must stay below Pathors' 15 s limit.
   * @default 10000
   */
  answerBudgetMs?: number;
  /**
   * A durable inbox (`BullMqInbox` from `nestjs-pathors/inbox`): the webhook persists each delivery and answers 202
   * at once; workers process it with retries and dead-letter it after the last attempt.
   * @default undefined (handlers run during the request)
   */
  inbox?: PathorsInbox;
  /**
   * On shutdown, how long to wait, in milliseconds, for deliveries being handled before closing. New deliveries are
   * answered 503 from the moment shutdown starts.
   * @default 10000
   */
  shutdownTimeoutMs?: number;
}

/**
 * Options of {@link PathorsModule}. Every field is optional: a webhook-only app needs no API key,
 * and an API-only app can switch the webhook off.
 *
 * @example
 * ```ts
 * PathorsModule.forRoot({
 *   apiKey: process.env.PATHORS_API_KEY,
 *   projectId: process.env.PATHORS_PROJECT_ID,
 *   webhook: { secret: process.env.PATHORS_WEBHOOK_SECRET },
 * })
 * ```
 */
export interface PathorsModuleOptions {
  /** Developer key (`dk_…`) sent as `Authorization: Bearer <apiKey>` to the Pathors API. */
  apiKey?: string;
  /** Pathors project the API calls act on. */
  projectId?: string;
  /**
   * Base URL of the Pathors API.
   * @default 'https://api.pathors.com'
   */
  baseUrl?: string;
  /**
   * Which Pathors API paths to call: `'v1'` (`/v1/projects/{projectId}/…`) or `'legacy'` (the
   * `/api/project/{projectId}/integration/api/…` paths, sunset 2026-07). In legacy style with the default `baseUrl`,
   * integration paths go to `https://app.pathors.com`. Agent settings exist on v1 paths only.
   * @default 'v1'
   */
  apiStyle?: 'v1' | 'legacy';
  /**
   * Per-request timeout in milliseconds (for a streamed completion: until the response headers arrive).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Retries with exponential backoff and jitter, honouring `Retry-After`, on 429, 5xx, network errors and timeouts,
   * for requests safe to repeat only (never for creating sessions, completions or outbound calls).
   * @default { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5000 }
   */
  retry?: PathorsRetryOptions;
  /** The webhook endpoint. */
  webhook?: PathorsWebhookOptions;
  /** Delivery guarantees: idempotency store, ordering, answer budget, durable inbox, shutdown. */
  delivery?: PathorsDeliveryOptions;
}
