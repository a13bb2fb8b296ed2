import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseDeliveryRecordLine, type PathorsDeliveryRecord } from 'nestjs-pathors';
import { buildCallEnded, sharedSecretHeaders } from 'nestjs-pathors/testing';
import type { RunningSampleApp } from '../../sample-app/src/bootstrap.js';
import { FOLLOW_UP_AGENT } from '../../sample-app/src/config/agents.js';
import type { PlayedDemoSession } from '../../sample-app/src/embedded/demo-sessions.service.js';
import type { SessionRecord } from '../../sample-app/src/outcomes/outcomes.repository.js';
import type { SupportTicket } from '../../sample-app/src/support/support-tickets.repository.js';
import { deleteKeys, uniquePrefix } from '../delivery/support/delivery-fixtures.js';
import { bootSampleApp } from './support/sample-app.harness.js';

/** Booting includes starting PGlite (WebAssembly), which takes a while on a busy machine. */
const BOOT_TIMEOUT_MS = 120_000;
const REDIS_URL = 'redis://127.0.0.1:6379';
/** Every Redis key of this run starts with it; removed after the run. */
const KEY_PREFIX = uniquePrefix('sample-app');
const API_KEY = 'sample-test-key';

/** Answers a request to the running app with its status, content type and parsed (or raw) body. */
async function request(
  running: RunningSampleApp,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; type: string; body: unknown; text: string }> {
  const response = await fetch(`${running.url}${path}`, init);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    type,
    text,
    body: type.startsWith('application/json') ? JSON.parse(text) : text,
  };
}

/** Posts `payload` to the app's webhook with its shared secret, as Pathors does. */
function postWebhook(running: RunningSampleApp, payload: object) {
  return request(running, '/pathors/webhooks', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...sharedSecretHeaders(running.embedded!.project(FOLLOW_UP_AGENT).webhookSecret),
    },
    body: JSON.stringify(payload),
  });
}

const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await deleteKeys(redis, KEY_PREFIX);
  await redis.quit();
});

describe('sample app with SAMPLE_API_KEY and REDIS_URL', () => {
  let running: RunningSampleApp;
  const withKey = { headers: { 'x-api-key': API_KEY } };

  beforeAll(async () => {
    running = await bootSampleApp({ SAMPLE_API_KEY: API_KEY, REDIS_URL, REDIS_KEY_PREFIX: KEY_PREFIX });
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => running?.app.close());

  it('answers 401 on its REST endpoints without the key or with a wrong one, and serves them with it', async () => {
    const missing = await request(running, '/outcomes');
    expect(missing.status).toBe(401);
    expect(missing.text).not.toContain(API_KEY);
    expect((await request(running, '/outcomes', { headers: { 'x-api-key': `${API_KEY}x` } })).status).toBe(
      401,
    );
    expect((await request(running, '/follow-ups/conversations', { method: 'POST' })).status).toBe(401);
    expect(await request(running, '/outcomes', withKey)).toMatchObject({ status: 200, body: [] });
  });

  it('lets Pathors webhooks through to their handlers, which the guard does not stop', async () => {
    const played = await request(running, '/demo/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ kind: 'call' }),
    });
    expect(played.status).toBe(200);
    const { sessionId, deliveries } = played.body as PlayedDemoSession;
    expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200, 200]);
    const stored = await request(running, `/outcomes/${sessionId}`, withKey);
    expect((stored.body as SessionRecord).outcome).toMatchObject({ channel: 'call' });
  });

  it("lets the support agent's webhook through too (webhook.decorators: [Public()]), its endpoints still need the key", async () => {
    const played = await request(running, '/demo/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ kind: 'text', agent: 'support' }),
    });
    expect(played.status).toBe(200);
    const { sessionId, deliveries } = played.body as PlayedDemoSession;
    expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
    expect((await request(running, `/support/tickets/${sessionId}`)).status).toBe(401);
    const ticket = await request(running, `/support/tickets/${sessionId}`, withKey);
    expect(ticket.body as SupportTicket).toMatchObject({ status: 'closed' });
    // The support registration's idempotency records live under its own prefix.
    const [, keys] = await redis.scan(
      '0',
      'MATCH',
      `${KEY_PREFIX}support:pathors:*${sessionId}*`,
      'COUNT',
      10_000,
    );
    expect(keys.length).toBeGreaterThan(0);
  });

  it('records done events in Redis under its key prefix, and drops a redelivery', async () => {
    const event = buildCallEnded({ callStatus: 'busy', callDuration: 0 });
    expect((await postWebhook(running, event)).body).toEqual({ received: true });
    expect((await postWebhook(running, event)).body).toMatchObject({ note: 'duplicate: already processed' });
    const [, keys] = await redis.scan(
      '0',
      'MATCH',
      `${KEY_PREFIX}pathors:*${event.sessionId}*`,
      'COUNT',
      10_000,
    );
    expect(keys.length).toBeGreaterThan(0);
  });

  it('reports Pathors up at /health without the key, and down (503) when Pathors fails', async () => {
    expect(await request(running, '/health')).toMatchObject({
      status: 200,
      body: { status: 'ok', info: { pathors: { status: 'up' }, 'pathors-store': { status: 'up' } } },
    });
    running.embedded!.project(FOLLOW_UP_AGENT).simulator.failNext(1, 401);
    const down = await request(running, '/health');
    expect(down).toMatchObject({
      status: 503,
      body: { status: 'error', error: { pathors: { status: 'down' } } },
    });
    expect(down.text).not.toContain(running.embedded!.environment().PATHORS_API_KEY);
  });

  it('serves Swagger UI at /docs, its document listing the webhook and every event schema', async () => {
    const page = await request(running, '/docs');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    const document = (await request(running, '/docs-json')).body as {
      openapi: string;
      paths: Record<string, { post?: unknown }>;
      webhooks: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/pathors/webhooks'].post).toBeDefined();
    expect(document.paths['/outcomes']).toBeDefined();
    expect(Object.keys(document.webhooks)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('call.ended'),
        expect.stringContaining('session.finalized'),
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['CallEndedEvent', 'SessionFinalizedEvent', 'PlatformSessionEndedEvent']),
    );
  });

  it('mounts no dead-letter endpoints without the inbox', async () => {
    expect((await request(running, '/dead-letters', withKey)).status).toBe(404);
  });

  describe('a second replica on the same Redis', () => {
    let replica: RunningSampleApp;

    beforeAll(async () => {
      replica = await bootSampleApp({ REDIS_URL, REDIS_KEY_PREFIX: KEY_PREFIX });
    }, BOOT_TIMEOUT_MS);
    afterAll(async () => replica?.app.close());

    it('drops an event the first replica already handled, since both share the Redis store', async () => {
      const event = buildCallEnded({ callStatus: 'voicemail', callDuration: 12 });
      expect((await postWebhook(running, event)).body).toEqual({ received: true });
      expect((await postWebhook(replica, event)).body).toMatchObject({
        note: 'duplicate: already processed',
      });
    });
  });
});

describe('sample app with the BullMQ inbox (PATHORS_INBOX=bullmq)', () => {
  let running: RunningSampleApp;

  beforeAll(async () => {
    running = await bootSampleApp({ REDIS_URL, REDIS_KEY_PREFIX: KEY_PREFIX, PATHORS_INBOX: 'bullmq' });
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => running?.app.close());

  it('queues a delivery (202) and stores it once a worker ran the handler', async () => {
    const event = buildCallEnded({ callStatus: 'userHangup', callDuration: 30 });
    expect((await postWebhook(running, event)).body).toEqual({ received: true, note: 'queued' });
    let stored: SessionRecord | undefined;
    for (let attempt = 0; attempt < 200 && !stored; attempt++) {
      const answer = await request(running, `/outcomes/${event.sessionId}`);
      if (answer.status === 200) stored = answer.body as SessionRecord;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stored?.call).toMatchObject({ callStatus: 'userHangup', callDurationSeconds: 30 });
  });

  it('lists, exports and replays the dead letters through PathorsDeadLetterService', async () => {
    expect(await request(running, '/dead-letters')).toMatchObject({ status: 200, body: { total: 0 } });
    // A recorded delivery that no longer validates fails its one attempt and is dead-lettered.
    const broken = buildCallEnded({ callStatus: 'busy', callDuration: 0 });
    const record: PathorsDeliveryRecord = {
      idempotencyKey: `lifecycle:call.ended:${broken.sessionId}`,
      eventName: 'call.ended',
      receivedAt: new Date().toISOString(),
      headers: { 'content-type': 'application/json' },
      body: { ...broken, callDuration: -1 },
    };
    const queue = new Queue('pathors-inbox', { connection: { url: REDIS_URL }, prefix: `${KEY_PREFIX}bull` });
    try {
      await queue.add('call.ended', record, { jobId: 'dead-1', attempts: 1, removeOnFail: false });
      for (let attempt = 0; attempt < 200 && (await queue.getFailedCount()) === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      const listed = await request(running, '/dead-letters');
      expect(listed).toMatchObject({
        status: 200,
        body: {
          total: 1,
          deadLetters: [
            {
              id: 'dead-1',
              eventName: 'call.ended',
              idempotencyKey: record.idempotencyKey,
              attempts: 1,
              failedReason: expect.stringContaining('no longer validates'),
            },
          ],
        },
      });
      // Paging: past the end is an empty page with the same total; a bad number is refused, naming the parameter.
      expect(await request(running, '/dead-letters?offset=1&limit=5')).toMatchObject({
        status: 200,
        body: { total: 1, deadLetters: [] },
      });
      expect(await request(running, '/dead-letters?offset=first')).toMatchObject({
        status: 400,
        body: { message: 'offset must be a whole number' },
      });

      const exported = await request(running, '/dead-letters/export');
      expect(exported.status).toBe(200);
      expect(exported.type).toContain('application/x-ndjson');
      const lines = exported.text.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(parseDeliveryRecordLine(lines[0])).toMatchObject({
        body: record.body,
        deadLetter: { id: 'dead-1' },
      });

      const replayed = await request(running, '/dead-letters/dead-1/replay', { method: 'POST' });
      expect(replayed).toMatchObject({ status: 200, body: { replayed: 'dead-1' } });
      const unknown = await request(running, '/dead-letters/unknown-id/replay', { method: 'POST' });
      expect(unknown).toMatchObject({
        status: 404,
        body: { message: 'No dead letter has the id "unknown-id"' },
      });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
