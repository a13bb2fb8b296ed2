import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { PlatformSessionEndedEvent, SessionCreatedEvent, SessionFinalizedEvent } from 'nestjs-pathors';
import { buildCallEnded, PathorsSimulator, sharedSecretHeaders } from 'nestjs-pathors/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordingHandlers } from '../support/recording-handlers.js';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';

const SECRET = 'sim-secret-0123456789';
const SIGNING_SECRET = `whsec_${Buffer.from('simulator-signing-key-32-bytes!!').toString('base64')}`;

describe.each(ADAPTERS)('PathorsSimulator delivering to a real app (%s)', (adapter) => {
  const simulator = new PathorsSimulator();
  let webhookApp: WebhookApp;
  let target: string;
  let handlers: RecordingHandlers;

  beforeAll(async () => {
    await simulator.start();
    webhookApp = await createWebhookApp({
      adapter,
      rawBody: true,
      pathors: { webhook: { secret: SECRET, signingSecret: SIGNING_SECRET } },
      providers: [RecordingHandlers],
    });
    await webhookApp.app.listen(0, '127.0.0.1');
    target = `${(await webhookApp.app.getUrl()).replace('[::1]', '127.0.0.1')}/pathors/webhooks`;
    handlers = webhookApp.get(RecordingHandlers);
  });
  afterEach(() => {
    handlers.calls.length = 0;
    handlers.failNext.clear();
  });
  afterAll(async () => {
    await webhookApp.app.close();
    await simulator.stop();
  });

  const lifecycle = () => ({ target, headers: sharedSecretHeaders(SECRET) });

  it('plays a call session and delivers its four lifecycle events in the documented order', async () => {
    const played = await simulator.playSession({
      channel: 'call',
      callStatus: 'agentHangup',
      callDuration: 143,
      extractedVariables: { intention: 'book a demo' },
      delivery: lifecycle(),
    });

    expect(played.deliveries.map((d) => [d.event, d.status])).toEqual([
      ['session.ended', 200],
      ['call.ended', 200],
      ['session.finalized', 200],
      ['recording.ready', 200],
    ]);
    expect(handlers.calls.map((call) => call.handler)).toEqual([
      'session.ended',
      'call.ended',
      'session.finalized',
      'recording.ready',
    ]);
    const finalized = handlers.calls[2].event as SessionFinalizedEvent;
    expect(finalized).toBeInstanceOf(SessionFinalizedEvent);
    expect(finalized).toMatchObject({
      sessionId: played.sessionId,
      callStatus: 'agentHangup',
      callDuration: 143,
      messagesCount: 4,
      extractedVariables: { intention: 'book a demo' },
      projectId: 'proj_simulator',
    });
    // The session's life is visible through the API state too.
    expect(simulator.session(played.sessionId)).toMatchObject({
      channel: 'call',
      endedAt: expect.any(String),
    });
  });

  it('a text session emits session.ended and session.finalized only, without call fields', async () => {
    const played = await simulator.playSession({
      channel: 'text',
      messages: [{ role: 'user', content: 'hi' }],
      delivery: lifecycle(),
    });

    expect(played.deliveries.map((d) => d.event)).toEqual(['session.ended', 'session.finalized']);
    const finalized = handlers.calls[1].event as SessionFinalizedEvent;
    expect('callStatus' in played.payloads[1]).toBe(false);
    expect(finalized).toMatchObject({ sessionId: played.sessionId, messagesCount: 1 });
    expect(finalized.callStatus).toBeUndefined();
  });

  it('delivers the platform dialect with Standard Webhooks signatures', async () => {
    const played = await simulator.playSession({
      channel: 'call',
      variables: { crmContactId: 'crm-42' },
      delivery: { target, dialect: 'platform', signingSecret: SIGNING_SECRET },
    });

    expect(played.deliveries.map((d) => [d.event, d.dialect, d.status])).toEqual([
      ['session.created', 'platform', 200],
      ['session.ended', 'platform', 200],
    ]);
    const [created, ended] = handlers.calls.map((call) => call.event);
    expect(created).toBeInstanceOf(SessionCreatedEvent);
    expect(ended).toBeInstanceOf(PlatformSessionEndedEvent);
    expect(ended).toMatchObject({ id: played.sessionId, state: 'CLOSED', type: 'VOICE' });
    expect((ended as PlatformSessionEndedEvent).metadata?.sessionVariables).toEqual({
      crmContactId: 'crm-42',
    });
  });

  it('reports 401 when the headers are wrong, and nothing reaches a handler', async () => {
    const played = await simulator.playSession({
      delivery: { target, headers: sharedSecretHeaders('wrong-secret'), events: ['session.ended'] },
    });

    expect(played.deliveries.map((d) => [d.event, d.status, d.delivered])).toEqual([
      ['session.ended', 401, false],
    ]);
    expect(handlers.calls).toHaveLength(0);
  });

  it('retries a non-2xx answer with backoff when asked to', async () => {
    handlers.failNext.add('call.ended');

    const played = await simulator.playSession({
      delivery: { ...lifecycle(), events: ['call.ended'], retry: { maxAttempts: 3, baseDelayMs: 5 } },
    });

    expect(played.deliveries).toHaveLength(1);
    expect(played.deliveries[0].attempts.map((attempt) => attempt.status)).toEqual([500, 200]);
    expect(played.deliveries[0]).toMatchObject({ delivered: true, status: 200 });
  });

  it('delivers at most once by default: a failed delivery is not retried', async () => {
    handlers.failNext.add('call.ended');

    const played = await simulator.playSession({ delivery: { ...lifecycle(), events: ['call.ended'] } });

    expect(played.deliveries[0].attempts.map((attempt) => attempt.status)).toEqual([500]);
    expect(played.deliveries[0].delivered).toBe(false);
  });
});

describe('PathorsSimulator delivery scripting', () => {
  const simulator = new PathorsSimulator();
  let webhookApp: WebhookApp;
  let target: string;

  beforeAll(async () => {
    await simulator.start();
    webhookApp = await createWebhookApp({
      adapter: 'express',
      pathors: { webhook: { secret: SECRET } },
      providers: [RecordingHandlers],
    });
    await webhookApp.app.listen(0, '127.0.0.1');
    target = `${(await webhookApp.app.getUrl()).replace('[::1]', '127.0.0.1')}/pathors/webhooks`;
  });
  afterEach(() => {
    webhookApp.get(RecordingHandlers).calls.length = 0;
  });
  afterAll(async () => {
    await webhookApp.app.close();
    await simulator.stop();
  });

  const delivery = () => ({ target, headers: sharedSecretHeaders(SECRET) });

  it('duplicates the given events: the same payload, flagged', async () => {
    const played = await simulator.playSession({ delivery: { ...delivery(), duplicates: ['call.ended'] } });

    expect(played.deliveries.map((d) => [d.event, d.duplicate])).toEqual([
      ['session.ended', false],
      ['call.ended', false],
      ['call.ended', true],
      ['session.finalized', false],
      ['recording.ready', false],
    ]);
    expect(played.deliveries[2].payload).toEqual(played.deliveries[1].payload);
    expect(played.deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);
  });

  it('drops the given events: reported, never sent', async () => {
    const played = await simulator.playSession({ delivery: { ...delivery(), drop: ['session.ended'] } });

    expect(played.deliveries[0]).toMatchObject({
      event: 'session.ended',
      dropped: true,
      attempts: [],
      status: null,
    });
    expect(webhookApp.get(RecordingHandlers).calls.map((call) => call.handler)).not.toContain(
      'session.ended',
    );
  });

  it('reorders: reversed, explicit, and shuffled reproducibly by seed', async () => {
    const reversed = await simulator.playSession({ delivery: { ...delivery(), order: 'reversed' } });
    expect(reversed.deliveries.map((d) => d.event)).toEqual([
      'recording.ready',
      'session.finalized',
      'call.ended',
      'session.ended',
    ]);

    const callFirst = await simulator.playSession({
      delivery: {
        ...delivery(),
        order: ['call.ended', 'session.ended', 'recording.ready', 'session.finalized'],
      },
    });
    expect(callFirst.deliveries.map((d) => d.event)).toEqual([
      'call.ended',
      'session.ended',
      'recording.ready',
      'session.finalized',
    ]);
    // Emission timestamps keep the documented order whatever the delivery order.
    expect(callFirst.payloads.map((p) => p.timestamp)).toEqual(
      [...callFirst.payloads.map((p) => p.timestamp)].sort(),
    );

    const first = await simulator.playSession({ delivery: { ...delivery(), order: 'shuffled', seed: 7 } });
    const second = await simulator.playSession({ delivery: { ...delivery(), order: 'shuffled', seed: 7 } });
    expect(first.deliveries.map((d) => d.event)).toEqual(second.deliveries.map((d) => d.event));
    expect(new Set(first.deliveries.map((d) => d.event)).size).toBe(4);
  });

  it("by default delivers to the agent's postSessionWebhook with its headers and events", async () => {
    simulator.setAgentConfig({
      ...simulator.agentConfig(),
      postSessionWebhook: {
        url: target,
        headers: [{ key: 'Authorization', value: `Bearer ${SECRET}` }],
        events: ['session.finalized'],
      },
    });
    try {
      const played = await simulator.playSession({ channel: 'text' });
      expect(played.deliveries.map((d) => [d.event, d.status])).toEqual([['session.finalized', 200]]);
    } finally {
      simulator.setAgentConfig({ ...simulator.agentConfig(), postSessionWebhook: null });
    }
  });

  it('delivers nothing without a target, and refuses delivery options without one', async () => {
    await expect(simulator.playSession()).resolves.toMatchObject({ deliveries: [] });
    await expect(simulator.playSession({ delivery: { events: ['session.ended'] } })).rejects.toThrow(
      /no delivery target/,
    );
  });

  it('delivers one built payload with deliverWebhook', async () => {
    const result = await simulator.deliverWebhook(
      buildCallEnded({ callStatus: 'busy', callDuration: 0 }),
      delivery(),
    );

    expect(result).toMatchObject({ event: 'call.ended', dialect: 'lifecycle', status: 200, delivered: true });
    expect(webhookApp.get(RecordingHandlers).calls[0].event).toMatchObject({ callStatus: 'busy' });
  });

  it('reports a network failure as status null', async () => {
    const result = await simulator.deliverWebhook(buildCallEnded(), {
      target: 'http://127.0.0.1:9/nothing-listens-here',
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });

    expect(result.delivered).toBe(false);
    expect(result.attempts).toHaveLength(2);
    expect(result.attempts.every((attempt) => attempt.status === null && attempt.error)).toBe(true);
  });
});

describe('PathorsSimulator API surface', () => {
  const simulator = new PathorsSimulator();

  beforeAll(async () => {
    await simulator.start();
  });
  afterAll(async () => {
    await simulator.stop();
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${simulator.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${simulator.apiKey}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });

  it('marks legacy responses deprecated, v1 ones not', async () => {
    const legacy = await call('/api/project/proj_simulator/integration/api/session', {
      method: 'POST',
      body: JSON.stringify({ session_id: 'legacy-1' }),
    });
    const v1 = await call('/v1/projects/proj_simulator/sessions/legacy-1');

    expect(legacy.status).toBe(200);
    expect(legacy.headers.get('deprecation')).toBe('true');
    expect(legacy.headers.get('sunset')).toEqual(expect.any(String));
    expect(v1.headers.get('deprecation')).toBeNull();
  });

  it('answers the documented errors and lists the project', async () => {
    expect(
      await (await call('/v1/projects/proj_simulator/sessions', { method: 'POST', body: '{}' })).json(),
    ).toEqual({
      error: 'session_id is required',
    });
    expect((await call('/v1/projects/proj_simulator/nowhere')).status).toBe(404);
    expect(await (await call('/v1/projects')).json()).toEqual({
      data: [{ id: 'proj_simulator', name: 'Simulated project' }],
    });
    const unauthenticated = await fetch(`${simulator.url}/v1/projects`);
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toEqual({ error: { message: 'Invalid authentication' } });
  });

  it('rejects an agent webhook with events Pathors does not accept', async () => {
    const response = await call('/v1/projects/proj_simulator/agent', {
      method: 'PUT',
      body: JSON.stringify({ postSessionWebhook: { url: 'https://x.example', events: ['session.created'] } }),
    });

    expect(response.status).toBe(400);
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('waitForRequest resolves with a request once answered, and rejects naming the match after its timeout', async () => {
    const waiting = simulator.waitForRequest({ method: 'GET', path: '/sessions/wait-for-me' });
    expect(simulator.requestsMatching({ path: '/sessions/wait-for-me' })).toHaveLength(0);
    await call('/v1/projects/proj_simulator/sessions/wait-for-me');

    expect(await waiting).toMatchObject({
      method: 'GET',
      path: '/v1/projects/proj_simulator/sessions/wait-for-me',
      status: 404,
    });
    await expect(simulator.waitForRequest({ method: 'DELETE', path: '/nowhere' }, 50)).rejects.toThrow(
      'no request matching DELETE /nowhere was answered within 50 ms',
    );
  });

  it('never logs the key: authorization is masked in the request log', () => {
    expect(simulator.requests().every((request) => !JSON.stringify(request).includes(simulator.apiKey))).toBe(
      true,
    );
    expect(simulator.requests()[0].headers.authorization).toBe('Bearer dk_s…');
  });
});

describe('PathorsSimulator probeWebhooks', () => {
  const simulator = new PathorsSimulator({ probeWebhooks: true });
  const receiver = createServer((request, response) => {
    received.push({ headers: request.headers });
    response.writeHead(204).end();
  });
  const received: Array<{ headers: Record<string, unknown> }> = [];
  let receiverUrl: string;

  beforeAll(async () => {
    await simulator.start();
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await simulator.stop();
  });

  const putWebhook = (webhook: Record<string, unknown>) =>
    fetch(`${simulator.url}/v1/projects/proj_simulator/agent`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...simulator.agentConfig(), postSessionWebhook: webhook }),
    });

  it('POSTs a probe with the webhook headers when an update changes the webhook, before answering it', async () => {
    const update = await putWebhook({
      url: receiverUrl,
      headers: [{ key: 'X-Secret', value: 'probe-secret' }],
    });

    expect(update.status).toBe(200);
    expect(simulator.webhookProbes()).toMatchObject([{ event: 'webhook.probe', status: 204 }]);
    expect(received).toHaveLength(1);
    expect(received[0].headers['x-secret']).toBe('probe-secret');

    // The same webhook again: nothing changed, no probe.
    await putWebhook({ url: receiverUrl, headers: [{ key: 'X-Secret', value: 'probe-secret' }] });
    expect(simulator.webhookProbes()).toHaveLength(1);
  });

  it('reports a URL nothing listens on as status null', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    await putWebhook({ url: `http://127.0.0.1:${port}/hook` });

    expect(simulator.webhookProbes().at(-1)).toMatchObject({ status: null, delivered: false });
  });
});
