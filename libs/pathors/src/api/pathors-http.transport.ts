import { Injectable } from '@nestjs/common';

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
 * does both. The default, {@link FetchPathorsHttpTransport}, uses Node's built-in `fetch` (undici, keep-alive).
 * Swap it (a proxy, tracing, a recorded fixture) with Nest's provider override:
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
 * The default transport: Node's global `fetch`, whose undici agent keeps connections alive and reuses them
 * between requests to the same origin.
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
