import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Readable } from 'node:stream';
import { Agent, request as undiciRequest } from 'undici';

/** One HTTP request the Pathors client sends: already authenticated, serialised and bounded by `signal`. */
export interface PathorsHttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, when the request has a body. */
  readonly body?: string;
  /** Aborts on timeout or on the caller's own signal. */
  readonly signal: AbortSignal;
}

/**
 * Sends one HTTP request and returns the WHATWG `Response`, without retrying or interpreting the status: the client
 * does both. The module registers {@link UndiciPathorsHttpTransport} (undici's `request` over a keep-alive pool);
 * {@link FetchPathorsHttpTransport} sends the same requests with Node's global `fetch`. The module has no option to
 * choose one; a test swaps it (a recorded fixture, the fetch transport) with Nest's provider override:
 *
 * @example
 * ```ts
 * class RecordedTransport extends PathorsHttpTransport {
 *   async send(request: PathorsHttpRequest): Promise<Response> {
 *     return Response.json({ sessionId: 's-1', pathwayId: 'p-1' });
 *   }
 * }
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(PathorsHttpTransport)
 *   .useClass(RecordedTransport)
 *   .compile();
 * ```
 */
export abstract class PathorsHttpTransport {
  /** Sends `request`; rejects only when no response arrived (network error, abort). */
  abstract send(request: PathorsHttpRequest): Promise<Response>;
}

/**
 * A transport on Node's global `fetch`, whose undici agent keeps connections alive and reuses them between requests to
 * the same origin. Not the default: the module registers {@link UndiciPathorsHttpTransport}.
 */
@Injectable()
export class FetchPathorsHttpTransport extends PathorsHttpTransport {
  send(request: PathorsHttpRequest): Promise<Response> {
    return fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
    });
  }
}

/** Statuses whose response has no body (a `Response` refuses one). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/**
 * The default transport: undici's `request` (the HTTP client inside Node's `fetch`, without the WHATWG layers) over its
 * own keep-alive connection pool, closed with the module. Measured against the Pathors simulator it costs a third of
 * the CPU of a `fetch` call per request (see bench/README.md). The answer is handed over as a WHATWG
 * `Response` streaming the body, whose `url` is the request's.
 */
@Injectable()
export class UndiciPathorsHttpTransport extends PathorsHttpTransport implements OnModuleDestroy {
  private readonly pool = new Agent();

  async send(request: PathorsHttpRequest): Promise<Response> {
    const answer = await undiciRequest(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      dispatcher: this.pool,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.append(name, value);
    }
    const body = NULL_BODY_STATUSES.has(answer.statusCode)
      ? (answer.body.resume(), null)
      : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>);
    const response = new Response(body, { status: answer.statusCode, headers });
    Object.defineProperty(response, 'url', { value: request.url });
    return response;
  }

  async onModuleDestroy(): Promise<void> {
    // Closing the app twice must not throw: NestJS 11 runs the hook again on a second close.
    if (this.pool.closed || this.pool.destroyed) return;
    await this.pool.close();
  }
}
