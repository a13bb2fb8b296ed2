import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PathorsPayload } from '../event-builders.js';
import { handleApiRequest } from './simulator-api.handler.js';
import { requestMatches, SimulatorState } from './simulator-state.js';
import {
  droppedDelivery,
  eventNameOf,
  LIFECYCLE_ORDER,
  orderPayloads,
  PLATFORM_ORDER,
  postWebhook,
  sessionPayloads,
} from './simulator-webhooks.js';
import type {
  PathorsSimulatorOptions,
  PlayedSession,
  SimulatedCompletion,
  SimulatedDelivery,
  SimulatedDeliveryOptions,
  SimulatedFailureOptions,
  SimulatedOutboundCall,
  SimulatedSession,
  SimulatedSessionScript,
  SimulatedSingleDeliveryOptions,
  SimulatorRequest,
  SimulatorRequestMatch,
} from './simulator.types.js';

const DEFAULT_MESSAGES = [
  { role: 'assistant', content: 'Hi, this is the Pathors demo agent. How can I help?' },
  { role: 'user', content: 'I would like to book a demo.' },
  { role: 'assistant', content: 'Sure. Does Tuesday at 10 work for you?' },
  { role: 'user', content: 'Tuesday works, thanks.' },
] as const;

/**
 * An in-process Pathors: a real HTTP server that speaks the Pathors API (v1 and legacy paths, documented bodies and
 * errors, in-memory sessions, messages, agent configuration and outbound calls, SSE completions), can be told to
 * fail, and plays sessions to their end, delivering their lifecycle or platform webhooks to your app.
 *
 * @example
 * ```ts
 * const simulator = new PathorsSimulator();
 * const baseUrl = await simulator.start();
 * const app = await NestFactory.create(AppModule.register({ ...simulator.moduleOptions(), webhook: { secret } }));
 * simulator.failNext(2, 503);                     // the client retries through it
 * const played = await simulator.playSession({
 *   channel: 'call',
 *   delivery: { target: `${appUrl}/pathors/webhooks`, headers: sharedSecretHeaders(secret) },
 * });
 * expect(played.deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);
 * await simulator.stop();
 * ```
 */
export class PathorsSimulator {
  private readonly state: SimulatorState;
  private readonly server: Server;
  private baseUrl?: string;
  private connections = 0;
  /** Emits `'answered'` with each request's record once it is answered. */
  private readonly answered = new EventEmitter();

  constructor(private readonly options: PathorsSimulatorOptions = {}) {
    this.state = new SimulatorState(options);
    this.server = createServer((request, response) => {
      void this.serve(request, response);
    });
    this.server.on('connection', () => {
      this.connections += 1;
    });
  }

  /** The key the simulator accepts. */
  get apiKey(): string {
    return this.state.apiKey;
  }

  /** The project the key may act on. */
  get projectId(): string {
    return this.state.projectId;
  }

  /** Base URL (`http://127.0.0.1:<port>`); throws before {@link start}. */
  get url(): string {
    if (!this.baseUrl) throw new Error('PathorsSimulator is not started: await simulator.start() first');
    return this.baseUrl;
  }

  /** Starts listening (a free port by default) and returns the base URL to use as the module's `baseUrl`. */
  async start(): Promise<string> {
    if (this.baseUrl) return this.baseUrl;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return this.baseUrl;
  }

  /** Stops listening and closes every open connection (streams included). */
  async stop(): Promise<void> {
    if (!this.baseUrl) return;
    this.baseUrl = undefined;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** `{ apiKey, projectId, baseUrl }`: spread into `PathorsModule.forRoot()` to point the module at the simulator. */
  moduleOptions(): { apiKey: string; projectId: string; baseUrl: string } {
    return { apiKey: this.apiKey, projectId: this.projectId, baseUrl: this.url };
  }

  // ---- state --------------------------------------------------------------------------------------------------

  /**
   * Sessions currently held (ended sessions stay until ended through the API's DELETE, which removes them). These
   * are the live records: read them, do not change them.
   */
  sessions(): readonly SimulatedSession[] {
    return [...this.state.sessions.values()];
  }

  /** One session, or `undefined`. */
  session(sessionId: string): SimulatedSession | undefined {
    return this.state.sessions.get(sessionId);
  }

  /** A copy of the agent configuration (including `postSessionWebhook`). */
  agentConfig(): Record<string, unknown> {
    return structuredClone(this.state.agent);
  }

  /** Replaces the agent configuration (as a `PUT` would, without being logged as a request). */
  setAgentConfig(config: Record<string, unknown>): void {
    this.state.agent = structuredClone({ ...config, id: this.state.agentId });
  }

  /** Outbound calls accepted so far. */
  outboundCalls(): readonly SimulatedOutboundCall[] {
    return [...this.state.calls];
  }

  /** Sets the outbound calls the project can still pay for (`0`: the next call gets 402). */
  setCredits(credits: number): void {
    this.state.credits = credits;
  }

  /** Every request received, in order (`authorization` masked). */
  requests(): readonly SimulatorRequest[] {
    return [...this.state.requests];
  }

  /** Requests matching `match` (method and/or path). */
  requestsMatching(match: SimulatorRequestMatch): readonly SimulatorRequest[] {
    return this.state.requests.filter((request) => requestMatches(match, request.method, request.path));
  }

  /**
   * The first request matching `match` once it has been answered (one answered before the call counts), for work an
   * app does in the background, such as `webhook.register` once the app listens. Rejects after `timeoutMs`.
   *
   * @example
   * ```ts
   * await app.listen(0);
   * await simulator.waitForRequest({ method: 'PUT', path: '/agent' });
   * ```
   */
  waitForRequest(match: SimulatorRequestMatch, timeoutMs = 5_000): Promise<SimulatorRequest> {
    const isWanted = (request: SimulatorRequest): boolean =>
      request.status !== undefined && requestMatches(match, request.method, request.path);
    const done = this.state.requests.find(isWanted);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const onAnswered = (request: SimulatorRequest): void => {
        if (!isWanted(request)) return;
        clearTimeout(timer);
        this.answered.off('answered', onAnswered);
        resolve(request);
      };
      const timer = setTimeout(() => {
        this.answered.off('answered', onAnswered);
        const wanted = `${match.method ?? 'any method'} ${String(match.path ?? 'any path')}`;
        reject(
          new Error(`PathorsSimulator: no request matching ${wanted} was answered within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.answered.on('answered', onAnswered);
    });
  }

  /**
   * The probes sent to agent webhooks as they were set (with the `probeWebhooks` option), in order: each one's status
   * tells whether the app's route was up at that moment (`null`: no answer, such as a refused connection).
   */
  webhookProbes(): readonly SimulatedDelivery[] {
    return [...this.state.webhookProbes];
  }

  /** Forgets the request log, the webhook probes and the connection count. */
  clearRequests(): void {
    this.state.requests.length = 0;
    this.state.webhookProbes.length = 0;
    this.connections = 0;
  }

  /** TCP connections opened to the simulator since start (or {@link clearRequests}): shows keep-alive reuse. */
  connectionCount(): number {
    return this.connections;
  }

  // ---- completions --------------------------------------------------------------------------------------------

  /**
   * Scripts the answer of the next chat completion (queued, first in first out). Without a script a completion
   * answers `You said: <last message>`.
   *
   * @example
   * ```ts
   * simulator.queueCompletion({ toolCalls: [{ name: 'lookup_order', arguments: { orderId: '42' } }] });
   * simulator.queueCompletion({ content: 'Your order ships tomorrow.' });
   * ```
   */
  queueCompletion(completion: SimulatedCompletion): void {
    this.state.completions.push(completion);
  }

  /** Pause between two SSE chunks, in milliseconds. */
  setStreamChunkDelay(delayMs: number): void {
    this.state.streamChunkDelayMs = delayMs;
  }

  // ---- failure injection ----------------------------------------------------------------------------------------

  /**
   * The next `count` API requests (matching `options.match`) get `status` instead of their answer. Default bodies:
   * 500 plain text, 429 `{"error": "…"}`, others `{"error": {"message": "…"}}`.
   */
  failNext(count: number, status = 500, options: SimulatedFailureOptions = {}): void {
    this.state.faults.push({ remaining: count, status, ...options });
  }

  /** The next `count` requests get 429 with `Retry-After: <retryAfterSeconds>`. */
  rateLimitNext(count: number, retryAfterSeconds = 1, match?: SimulatorRequestMatch): void {
    this.failNext(count, 429, { retryAfterSeconds, match });
  }

  /** The next `count` requests (`Infinity`: all) are answered only after `delayMs`. */
  delayNext(count: number, delayMs: number, match?: SimulatorRequestMatch): void {
    this.state.faults.push({ remaining: count, delayMs, match });
  }

  /** Removes every pending failure and delay. */
  resetFaults(): void {
    this.state.faults.length = 0;
  }

  // ---- scripting ------------------------------------------------------------------------------------------------

  /**
   * Plays a session's life: created (or continued, for an existing id such as an outbound call's), messages
   * exchanged, ended; then delivers its webhooks per `script.delivery` (by default to the agent's
   * `postSessionWebhook`, when one is set) and reports each delivery.
   */
  async playSession(script: SimulatedSessionScript = {}): Promise<PlayedSession> {
    const existing = script.sessionId ? this.state.sessions.get(script.sessionId) : undefined;
    const channel = script.channel ?? existing?.channel ?? 'call';
    const session = this.state.session(script.sessionId ?? randomUUID(), { channel, provider: 'api' });
    if (script.variables) session.variables = { ...session.variables, ...script.variables };
    this.state.addMessages(session, script.messages ?? DEFAULT_MESSAGES);
    this.state.end(session);
    const played = { ...session, channel };

    const delivery = this.deliveryFor(script.delivery);
    const dialect = delivery?.dialect ?? 'lifecycle';
    const payloads = sessionPayloads(played, script, dialect, this.projectId, this.state.agentId);
    if (!delivery) return { sessionId: session.sessionId, channel, payloads, deliveries: [] };
    const wanted = new Set(delivery.events);
    const emitted = payloads.filter((payload) => wanted.has(eventNameOf(payload)));
    return {
      sessionId: session.sessionId,
      channel,
      payloads: emitted,
      deliveries: await this.deliverAll(emitted, delivery),
    };
  }

  /**
   * POSTs one payload (e.g. from the event builders) to `options.target` with the given headers, signed when a
   * `signingSecret` is given, retried per `options.retry`.
   */
  deliverWebhook(
    payload: PathorsPayload,
    options: SimulatedSingleDeliveryOptions & { readonly target: string },
  ): Promise<SimulatedDelivery> {
    return postWebhook(payload, options);
  }

  /** The delivery settings with the agent's webhook filled in, or `undefined` when nothing is to be delivered. */
  private deliveryFor(
    options: SimulatedDeliveryOptions | false | undefined,
  ): (SimulatedDeliveryOptions & { target: string; events: readonly string[] }) | undefined {
    if (options === false) return undefined;
    const webhook = this.state.agent.postSessionWebhook as
      { url?: string; headers?: Array<{ key: string; value: string }>; events?: string[] } | null | undefined;
    const target = options?.target ?? webhook?.url;
    if (!target) {
      if (options)
        throw new Error(
          'playSession: no delivery target: set delivery.target or the agent postSessionWebhook',
        );
      return undefined;
    }
    const platform = options?.dialect === 'platform';
    const headers =
      options?.headers ?? Object.fromEntries((webhook?.headers ?? []).map((h) => [h.key, h.value]));
    const events =
      options?.events ??
      (platform ? PLATFORM_ORDER : webhook ? (webhook.events ?? ['session.ended']) : LIFECYCLE_ORDER);
    return { ...options, target, headers, events };
  }

  private async deliverAll(
    payloads: readonly PathorsPayload[],
    options: SimulatedDeliveryOptions & { target: string },
  ): Promise<SimulatedDelivery[]> {
    const drop = new Set(options.drop ?? []);
    const duplicated = (event: string): boolean =>
      options.duplicates === 'all' || (options.duplicates ?? []).includes(event);
    const deliveries: SimulatedDelivery[] = [];
    for (const payload of orderPayloads(payloads, options.order, options.seed ?? 1)) {
      const event = eventNameOf(payload);
      if (drop.has(event)) {
        deliveries.push(droppedDelivery(payload));
        continue;
      }
      // One message id per event: a duplicate is the same message delivered again, as at-least-once senders do.
      const single = { ...options, messageId: `msg_${randomUUID()}` };
      deliveries.push(await postWebhook(payload, single));
      if (duplicated(event)) deliveries.push(await postWebhook(payload, single, { duplicate: true }));
    }
    return deliveries;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://simulator');
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        name === 'authorization' ? maskCredential(String(value)) : String(value),
      ]),
    );
    const record: SimulatorRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      headers,
      body: parseBody(rawBody),
      closedEarly: false,
    };
    this.state.requests.push(record);
    const closed = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) record.closedEarly = true;
      closed.abort();
    });
    try {
      await handleApiRequest(this.state, request, response, record, record.body, rawBody, closed.signal);
    } catch (error) {
      if (!response.headersSent) {
        record.status = 500;
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `Simulator error: ${(error as Error).message}` } }));
      } else {
        response.destroy();
      }
    }
    this.answered.emit('answered', record);
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `Bearer dk_s…` : enough to tell keys apart in a test failure, never the key. */
function maskCredential(value: string): string {
  const [scheme, token = ''] = value.split(' ');
  return token ? `${scheme} ${token.slice(0, 4)}…` : '…';
}
