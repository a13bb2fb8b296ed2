import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FetchPathorsHttpTransport,
  UndiciPathorsHttpTransport,
  type PathorsHttpRequest,
  type PathorsHttpTransport,
} from 'nestjs-pathors';

let server: Server;
let origin: string;
const received: Array<{ method?: string; url?: string; authorization?: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({
        method: request.method,
        url: request.url,
        authorization: request.headers.authorization,
        body,
      });
      if (request.url === '/empty') {
        response.writeHead(204).end();
        return;
      }
      response.writeHead(201, [
        ['content-type', 'application/json'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      response.end(JSON.stringify({ echoed: body }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const requestTo = (path: string, body?: string): PathorsHttpRequest => ({
  method: body === undefined ? 'GET' : 'POST',
  url: `${origin}${path}`,
  headers: { authorization: 'Bearer dk_test', 'content-type': 'application/json' },
  body,
  signal: new AbortController().signal,
});

describe.each([
  ['UndiciPathorsHttpTransport (the default)', () => new UndiciPathorsHttpTransport()],
  ['FetchPathorsHttpTransport', () => new FetchPathorsHttpTransport()],
] as Array<[string, () => PathorsHttpTransport & { onModuleDestroy?: () => Promise<void> }]>)(
  '%s',
  (_name, create) => {
    const transport = create();
    afterAll(() => transport.onModuleDestroy?.());

    it('sends method, headers and body, and answers a WHATWG Response with status, every header, body and url', async () => {
      received.length = 0;
      const response = await transport.send(requestTo('/sessions', '{"session_id":"s-1"}'));
      expect(received).toEqual([
        { method: 'POST', url: '/sessions', authorization: 'Bearer dk_test', body: '{"session_id":"s-1"}' },
      ]);
      expect(response).toBeInstanceOf(Response);
      expect(response.status).toBe(201);
      expect(response.ok).toBe(true);
      expect(response.url).toBe(`${origin}/sessions`);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(await response.json()).toEqual({ echoed: '{"session_id":"s-1"}' });
    });

    it('answers a 204 with no body', async () => {
      const response = await transport.send(requestTo('/empty'));
      expect(response.status).toBe(204);
      expect(response.body).toBeNull();
    });
  },
);
