import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchPathorsHttpTransport, PathorsHttpTransport } from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { createApiApp, type ApiApp } from './api/support/api-app.js';

const log = (...a: unknown[]) => process.stdout.write(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ') + '\n');
const settle = async (p: Promise<unknown>) => {
  try { return { ok: await p }; } catch (e) { const err = e as any; return { err: `${err?.constructor?.name}: ${err?.message}`, field: err?.field }; }
};
let handler: (req: any, res: any, body: string) => void = () => {};
describe('review-b 2', () => {
  const simulator = new PathorsSimulator();
  let fetchApi: ApiApp; let raw: ApiApp; let server: Server; let rawUrl: string;
  beforeAll(async () => {
    await simulator.start();
    fetchApi = await createApiApp(simulator, {}, [{ provide: PathorsHttpTransport, useClass: FetchPathorsHttpTransport }]);
    server = createServer((req, res) => { const c: Buffer[] = []; req.on('data', (d) => c.push(d)); req.on('end', () => handler(req, res, Buffer.concat(c).toString())); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    rawUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    raw = await createApiApp(simulator, { baseUrl: rawUrl });
  });
  afterAll(async () => { await fetchApi.close(); await raw.close(); server.closeAllConnections(); server.close(); await simulator.stop(); });

  it('L2 vendor webhook header without key, same url', async () => {
    handler = (req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.method === 'GET') res.end(JSON.stringify({ postSessionWebhook: { url: 'https://x', headers: [{ name: 'C', value: 'd' }] } }));
      else res.end(body);
    };
    log('L2', await settle(raw.agent.setPostSessionWebhook({ url: 'https://x' })));
    log('L3', await settle(raw.agent.setPostSessionWebhook((cur) => cur && { ...cur, events: ['call.ended'] })));
  });
  it('which transport is used with overrideProvider-less providers', async () => {
    simulator.clearRequests();
    simulator.setStreamChunkDelay(200);
    simulator.queueCompletion({ content: 'a b c d e f g h' });
    for await (const c of fetchApi.chat.stream({ sessionId: 's', messages: [{ role: 'user', content: 'go' }] })) { void c; break; }
    await new Promise((r) => setTimeout(r, 500));
    log('fetch break closedEarly', simulator.requests()[0]?.closedEarly, simulator.requests()[0]?.headers['user-agent']);
  });
  it('stream: server stalls after headers; abort via signal', async () => {
    handler = (req, res) => { res.writeHead(200, { 'content-type': 'text/event-stream' }); res.write(': hi\n\n'); };
    const ac = new AbortController(); setTimeout(() => ac.abort(new Error('mine')), 300);
    log('stall abort', await settle((async () => { for await (const c of raw.chat.stream({ sessionId: 's', messages: [{ role: 'user', content: 'x' }] }, { signal: ac.signal, timeoutMs: 100 })) void c; })()));
  });
  it('abort during retry sleep, Retry-After', async () => {
    let n = 0;
    handler = (req, res) => { n++; res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' }); res.end('{"error":"down"}'); };
    const ac = new AbortController(); setTimeout(() => ac.abort(new Error('stop')), 200);
    const t = Date.now();
    log('retry abort', await settle(raw.sessions.getSession('x', { signal: ac.signal })), n, Date.now() - t);
  });
  it('Retry-After on PUT agent 429 honoured; outbound 429 not retried', async () => {
    let n = 0;
    handler = (req, res) => { n++; res.writeHead(429, { 'retry-after': '0' }); res.end(''); };
    log('outbound 429', await settle(raw.calls.startOutboundCall({ fromNumber: '+14155550100', toNumber: '+14155550123' })), n);
  });
  it('error body with a phone number', async () => {
    handler = (req, res) => { res.writeHead(409, { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: `A call to ${JSON.parse('"+886912345678"')} is already in progress` })); };
    log('409', await settle(raw.calls.startOutboundCall({ fromNumber: '+14155550100', toNumber: '+886912345678' })));
  });
  it('search limit > 1000', async () => {
    log('limit', await settle(raw.sessions.searchSessions({ query: 'q', limit: 5000 })));
  });
});
