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
   * @default 'pathors/webhooks'
   */
  path?: string;
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
  /** The webhook endpoint. */
  webhook?: PathorsWebhookOptions;
}
