import type { INestApplication } from '@nestjs/common';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { webhookRouteOf } from '../webhooks/webhook-route.util.js';
import { sharedSecretHeaders, standardWebhookHeaders } from './auth-headers.js';

/**
 * How {@link deliver} authenticates the request:
 * - `auto` (default): what the app expects. The shared secret for lifecycle events (`event`), a Standard Webhooks
 *   signature for platform events (`eventType`), whichever of the two the app configures when it has only one;
 *   nothing when `webhook.verify` is false.
 * - `secret` / `signature`: that mechanism, with the app's first secret / signing secret.
 * - `none`: no credential (to test a 401).
 */
export type DeliverAuth = 'auto' | 'secret' | 'signature' | 'none';

/** Options of {@link deliver}. */
export interface DeliverOptions {
  /**
   * Which credential to add.
   * @default 'auto'
   */
  readonly auth?: DeliverAuth;
  /** Extra headers; they replace the generated ones of the same (lower-case) name. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Send these exact bytes instead of `JSON.stringify(payload)` (e.g. malformed JSON). Signed as given. */
  readonly rawBody?: string | Buffer;
  /**
   * Request path; by default the app's global prefix plus `webhook.path`.
   * @example '/api/pathors/webhooks'
   */
  readonly path?: string;
  /**
   * The `PathorsModule` registration to deliver to (its path and credentials), in an app with several.
   * @default 'default'
   */
  readonly registration?: string;
}

/** What the app answered to a {@link deliver}ed event. */
export interface DeliverResult {
  /** HTTP status: 200 handled, 202 no handler / unknown event, 400, 401, 409 being processed, 413, 415, 500, 503. */
  readonly status: number;
  /** The response body, parsed when it is JSON. */
  readonly body: unknown;
  /** Response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The part of a Fastify instance deliver() needs: routes are served only once it is ready. */
interface FastifyReadiness {
  ready(): PromiseLike<unknown>;
}

const parseBody = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

function authHeaders(
  options: ResolvedPathorsOptions,
  payload: unknown,
  body: Buffer,
  auth: DeliverAuth,
): Record<string, string> {
  const { secrets, signingKeys, secretHeader, verify } = options.webhook;
  const platform = typeof payload === 'object' && payload !== null && 'eventType' in payload;
  let mode = auth;
  if (mode === 'auto') {
    if (!verify) mode = 'none';
    else if (signingKeys.length > 0 && (platform || secrets.length === 0)) mode = 'signature';
    else mode = 'secret';
  }
  if (mode === 'none') return {};
  if (mode === 'secret') {
    if (secrets.length === 0)
      throw new Error('deliver({ auth: "secret" }): the app configures no webhook.secret.');
    return sharedSecretHeaders(secrets[0], secretHeader);
  }
  if (signingKeys.length === 0) {
    throw new Error('deliver({ auth: "signature" }): the app configures no webhook.signingSecret.');
  }
  return standardWebhookHeaders(`whsec_${signingKeys[0].toString('base64')}`, body);
}

// Express apps in tests are usually not listening: the server listens on an ephemeral port while requests are in
// flight (as supertest does), and is closed again after the last one.
const listening = new WeakMap<Server, { users: number; ready: Promise<number> }>();

async function withPort<T>(server: Server, send: (port: number) => Promise<T>): Promise<T> {
  const address = server.address() as AddressInfo | null;
  if (server.listening && address && !listening.has(server)) return send(address.port);
  let entry = listening.get(server);
  if (!entry) {
    const ready = new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
    entry = { users: 0, ready };
    listening.set(server, entry);
  }
  entry.users += 1;
  try {
    return await send(await entry.ready);
  } finally {
    entry.users -= 1;
    if (entry.users === 0) {
      listening.delete(server);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

const postOverHttp = (port: number, path: string, headers: Record<string, string>, body: Buffer) =>
  new Promise<DeliverResult>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: parseBody(Buffer.concat(chunks).toString('utf8')),
            headers: res.headers as IncomingHttpHeaders,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/**
 * Posts one webhook delivery to a Nest app's Pathors endpoint, authenticated the way the app's `PathorsModule`
 * options expect, and resolves with the answer once the handlers have run (the endpoint answers after them).
 * Works on Express and Fastify after `app.init()`: a real HTTP request to `app.getHttpServer()` on 127.0.0.1 (the
 * server listens on an ephemeral port while requests are in flight when the test has not called `listen()`).
 *
 * @example
 * ```ts
 * const { status } = await deliver(app, buildCallEnded({ callStatus: 'busy', callDuration: 0 }));
 * expect(status).toBe(200);
 * expect(outcomes.saved).toHaveLength(1);
 * ```
 */
export async function deliver(
  app: INestApplication,
  payload: unknown,
  options: DeliverOptions = {},
): Promise<DeliverResult> {
  const route = webhookRouteOf(app, 'deliver()', options.registration);
  const resolved = route.options;
  const body = Buffer.from(options.rawBody ?? JSON.stringify(payload));
  const path = options.path ?? route.path;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...authHeaders(resolved, payload, body, options.auth ?? 'auto'),
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;

  // Fastify's inject() is not used: under Jest's ESM mode on Node 20 its light-my-request dependency fails to load
  // (it require()s an ES module), and that is where this helper runs. A real request works on both adapters.
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') await (adapter.getInstance() as FastifyReadiness).ready();
  return withPort(app.getHttpServer() as Server, (port) => postOverHttp(port, path, headers, body));
}
