import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { PathorsConfigurationError } from '../pathors.errors.js';
import type { ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import {
  apiErrorClassFor,
  PathorsApiError,
  PathorsNetworkError,
  PathorsRateLimitError,
  PathorsTimeoutError,
} from './pathors-api.errors.js';
import { routeOf, type PathorsOperation, type PathorsRoute } from './pathors-api.routes.js';
import { PathorsHttpTransport } from './pathors-http.transport.js';
import { isObject, type JsonObject } from './pathors-json.util.js';
import type { PathorsRequestOptions } from './pathors-request.options.js';

/** Host of the legacy integration paths (`apiStyle: 'legacy'`), used when `baseUrl` is left at its default. */
const LEGACY_APP_BASE_URL = 'https://app.pathors.com';
const DEFAULT_BASE_URL = 'https://api.pathors.com';

/** One API call, described by its operation. */
export interface PathorsApiCall {
  readonly operation: PathorsOperation;
  /** Session id for paths that carry one. */
  readonly sessionId?: string;
  /** JSON body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly options?: PathorsRequestOptions;
}

/** A successful JSON response, `{data: …}` unwrapped. */
export interface PathorsApiResponse<T> {
  readonly body: T;
  readonly headers: Headers;
}

/**
 * Sends Pathors API calls: builds the URL of the configured API style, authenticates, bounds every attempt by the
 * timeout, retries what is safe to repeat, and turns every failure into a {@link PathorsApiError} subclass. Internal:
 * users inject the services.
 */
@Injectable()
export class PathorsApiClient {
  private readonly logger = new Logger(PathorsApiClient.name);
  private deprecationLogged = false;

  constructor(
    @Inject(PATHORS_RESOLVED_OPTIONS) private readonly options: ResolvedPathorsOptions,
    private readonly transport: PathorsHttpTransport,
  ) {}

  /** Which paths the client calls (`apiStyle` option): the services check their input by what that style accepts. */
  get apiStyle(): 'v1' | 'legacy' {
    return this.options.apiStyle;
  }

  /** The configured project id, or `undefined`. */
  get configuredProjectId(): string | undefined {
    return this.options.projectId;
  }

  /** The configured project id; throws a configuration error naming the option when it is missing. */
  get projectId(): string {
    return this.required('projectId', 'the Pathors project to act on');
  }

  /** A client of another project (a tenant's), with this one's transport, base URL, timeout and retry policy. */
  withCredentials(credentials: { readonly apiKey: string; readonly projectId: string }): PathorsApiClient {
    return new PathorsApiClient({ ...this.options, ...credentials }, this.transport);
  }

  /** Sends `call` and returns its JSON body (`{data: …}` unwrapped). */
  async json<T>(call: PathorsApiCall): Promise<PathorsApiResponse<T>> {
    const { response, text } = await this.send(call, true);
    return { body: unwrap(parseJson(text ?? '')) as T, headers: response.headers };
  }

  /** Like {@link json}, for operations answering an object: anything else (an empty body) reads as `{}`. */
  async jsonObject(call: PathorsApiCall): Promise<PathorsApiResponse<JsonObject>> {
    const response = await this.json<unknown>(call);
    return { body: isObject(response.body) ? response.body : {}, headers: response.headers };
  }

  /**
   * Sends `call` and returns the successful response with its body unread (for streams). The timeout covers the
   * wait for the response headers only; the caller's signal keeps governing the body.
   */
  async open(call: PathorsApiCall): Promise<Response> {
    return (await this.send(call, false)).response;
  }

  private async send(
    call: PathorsApiCall,
    readBody: boolean,
  ): Promise<{ response: Response; text?: string }> {
    const apiKey = this.required('apiKey', 'the developer key (dk_…) the API is called with');
    const projectId = call.operation === 'listProjects' ? '' : this.projectId;
    const route = routeOf(call.operation, this.options.apiStyle, projectId, call.sessionId);
    const url = `${this.baseUrlFor(route)}${route.path}`;
    const headers: Record<string, string> = {
      accept: readBody ? 'application/json' : 'text/event-stream',
      authorization: `Bearer ${apiKey}`,
      ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...call.headers,
    };
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const caller = call.options?.signal;
    const timeoutMs = call.options?.timeoutMs ?? this.options.timeoutMs;
    const maxAttempts = route.idempotent ? (call.options?.maxAttempts ?? this.options.retry.maxAttempts) : 1;

    for (let attempt = 1; ; attempt++) {
      caller?.throwIfAborted();
      // A timer cleared once the response is in: AbortSignal.timeout() would also cut a stream's body later.
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), timeoutMs);
      const signal = caller ? AbortSignal.any([caller, timeout.signal]) : timeout.signal;
      let failure: PathorsApiError;
      let retryAfterMs: number | undefined;
      try {
        const response = await this.transport.send({ method: route.method, url, headers, body, signal });
        if (response.ok) {
          this.noticeDeprecation(response, route);
          return { response, text: readBody ? await response.text() : undefined };
        }
        failure = this.toApiError(route, response, await response.text(), attempt);
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        if (failure instanceof PathorsRateLimitError) failure.retryAfterMs = retryAfterMs;
        if (response.status !== 429 && response.status < 500) throw failure;
      } catch (error) {
        if (error instanceof PathorsApiError) throw error;
        if (caller?.aborted) throw caller.reason;
        const context = { method: route.method, path: route.path, attempts: attempt, cause: error };
        failure = timeout.signal.aborted
          ? new PathorsTimeoutError(`no response within ${timeoutMs} ms`, context)
          : new PathorsNetworkError(this.redact(describeNetworkError(error)), context);
      } finally {
        clearTimeout(timer);
      }
      const delayMs = this.retryDelay(attempt, retryAfterMs);
      if (attempt >= maxAttempts || delayMs === undefined) throw failure;
      await sleep(delayMs, undefined, caller ? { signal: caller } : undefined).catch(() => {
        throw caller?.reason;
      });
    }
  }

  /** Full-jitter exponential backoff, never shorter than `Retry-After`; `undefined` when that is too long to wait. */
  private retryDelay(attempt: number, retryAfterMs: number | undefined): number | undefined {
    const { baseDelayMs, maxDelayMs } = this.options.retry;
    if (retryAfterMs !== undefined && retryAfterMs > maxDelayMs) return undefined;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.max(Math.round(Math.random() * ceiling), retryAfterMs ?? 0);
  }

  private toApiError(
    route: PathorsRoute,
    response: Response,
    text: string,
    attempts: number,
  ): PathorsApiError {
    const { message, details } = parseErrorBody(text, response.status, response.statusText);
    const ErrorClass = apiErrorClassFor(response.status);
    return new ErrorClass(this.redact(message), {
      method: route.method,
      path: route.path,
      status: response.status,
      requestId: response.headers.get('x-request-id') ?? response.headers.get('request-id') ?? undefined,
      details,
      attempts,
    });
  }

  private baseUrlFor(route: PathorsRoute): string {
    const { baseUrl } = this.options;
    return route.legacyAppHost && baseUrl === DEFAULT_BASE_URL ? LEGACY_APP_BASE_URL : baseUrl;
  }

  private noticeDeprecation(response: Response, route: PathorsRoute): void {
    if (this.deprecationLogged || !response.headers.has('deprecation')) return;
    this.deprecationLogged = true;
    const sunset = response.headers.get('sunset');
    this.logger.warn(
      `Pathors marks ${route.method} ${route.path} as deprecated${sunset ? ` (sunset ${sunset})` : ''}. ` +
        "Switch to apiStyle: 'v1' and a dk_… developer key.",
    );
  }

  private required(option: 'apiKey' | 'projectId', what: string): string {
    const value = this.options[option];
    if (!value) {
      throw new PathorsConfigurationError(
        `PathorsModule option "${option}" is not set, so the Pathors API cannot be called. ` +
          `Set ${option} (${what}) in PathorsModule.forRoot().`,
      );
    }
    return value;
  }

  /** Pathors or a proxy could echo the key back: never let it into a message. */
  private redact(text: string): string {
    const key = this.options.apiKey;
    return key ? text.split(key).join('[redacted]') : text;
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `{data: X}` (optionally with `success`) is an envelope; anything else is the body itself. */
function unwrap(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const keys = Object.keys(body);
  const envelope = keys.includes('data') && keys.every((key) => key === 'data' || key === 'success');
  return envelope ? (body as { data: unknown }).data : body;
}

/** Both documented shapes (`{error: "…"}`, `{error: {message, details}}`), `{message}`, and non-JSON text. */
function parseErrorBody(
  text: string,
  status: number,
  statusText: string,
): { message: string; details?: unknown } {
  const body = parseJson(text);
  if (body !== null && typeof body === 'object') {
    const { error, message } = body as { error?: unknown; message?: unknown };
    if (typeof error === 'string' && error !== '') return { message: error };
    if (error !== null && typeof error === 'object') {
      const nested = error as { message?: unknown; details?: unknown };
      if (typeof nested.message === 'string') return { message: nested.message, details: nested.details };
    }
    if (typeof message === 'string' && message !== '') return { message };
  }
  if (typeof body === 'string') {
    const plain = body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (plain !== '') return { message: plain.length > 200 ? `${plain.slice(0, 200)}…` : plain };
  }
  return { message: statusText || `HTTP ${status}` };
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
