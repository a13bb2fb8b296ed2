import { request as httpRequest } from 'node:http';

/** Header values as `node:http` sends them; an array sends the header once per entry. */
export type RawHeaders = Record<string, string | string[]>;

/** What came back, and how long it took. */
export interface RawResponse {
  readonly status: number;
  readonly body: string;
  readonly elapsedMs: number;
}

/**
 * POSTs exact bytes with exact headers to 127.0.0.1 (supertest would re-encode the body and normalise headers, which
 * hides the inputs this suite is about). Rejects after `timeoutMs` instead of hanging.
 */
export function postRaw(
  port: number,
  path: string,
  headers: RawHeaders,
  body: Buffer,
  timeoutMs: number,
): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            elapsedMs: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
