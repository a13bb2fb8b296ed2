import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import {
  buildCallEnded,
  buildPlatformSessionEnded,
  buildSessionCreated,
  buildTextSessionFinalized,
  deliver,
} from 'nestjs-pathors/testing';
import { CallEndedEvent, PlatformSessionEndedEvent } from 'nestjs-pathors';
import { RecordingHandlers } from '../support/recording-handlers.js';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';

const SECRET = 'kit-secret-0123456789';
const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

describe.each(ADAPTERS)('deliver() on %s', (adapter) => {
  describe('with a shared secret and a signing secret, a global prefix and a custom path', () => {
    let harness: WebhookApp;
    let handlers: RecordingHandlers;

    beforeAll(async () => {
      harness = await createWebhookApp({
        adapter,
        rawBody: true,
        globalPrefix: 'api',
        pathors: { webhook: { secret: SECRET, signingSecret: SIGNING_SECRET, path: 'hooks/pathors' } },
        providers: [RecordingHandlers],
      });
      handlers = harness.get(RecordingHandlers);
    });
    afterAll(() => harness.app.close());
    beforeEach(() => {
      handlers.calls.length = 0;
    });

    it('resolves after the (asynchronous) handler ran, with the status code', async () => {
      const payload = buildCallEnded({ callStatus: 'busy', callDuration: 0 });
      const result = await deliver(harness.app, payload);
      expect(result.status).toBe(200);
      expect(result.body).toEqual({ received: true });
      // The call.ended fixture handler awaits a timer before recording: it has finished when deliver() resolves.
      expect(handlers.calls).toHaveLength(1);
      const event = handlers.calls[0].event as CallEndedEvent;
      expect(event).toBeInstanceOf(CallEndedEvent);
      expect(event.callStatus).toBe('busy');
      expect(handlers.calls[0].delivery.deliveryId).toBeUndefined();
    });

    it('signs platform events with Standard Webhooks headers (auto mode)', async () => {
      const payload = buildPlatformSessionEnded();
      expect((await deliver(harness.app, payload)).status).toBe(200);
      const [{ event, delivery }] = handlers.calls;
      expect(event).toBeInstanceOf(PlatformSessionEndedEvent);
      expect(delivery.deliveryId).toMatch(/^msg_/);
    });

    it('uses the mechanism asked for, and none at all gets a 401 that reaches no handler', async () => {
      expect((await deliver(harness.app, buildTextSessionFinalized(), { auth: 'signature' })).status).toBe(
        200,
      );
      expect((await deliver(harness.app, buildSessionCreated(), { auth: 'secret' })).status).toBe(200);
      expect(handlers.calls.map((call) => call.delivery.deliveryId?.slice(0, 4))).toEqual([
        'msg_',
        undefined,
      ]);
      expect((await deliver(harness.app, buildCallEnded(), { auth: 'none' })).status).toBe(401);
      expect(handlers.calls).toHaveLength(2);
    });

    it('lets a test send exact bytes and override headers', async () => {
      const malformed = await deliver(harness.app, undefined, {
        rawBody: '{"event": "call.ended",',
        auth: 'secret',
      });
      expect(malformed.status).toBe(400);
      const wrongType = await deliver(harness.app, buildCallEnded(), {
        headers: { 'Content-Type': 'text/plain' },
      });
      expect(wrongType.status).toBe(415);
      expect(handlers.calls).toHaveLength(0);
    });

    it('handles concurrent deliveries and leaves the server as it found it', async () => {
      const server = harness.server as Server;
      const before = server.listening;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => deliver(harness.app, buildCallEnded())),
      );
      expect(results.map((result) => result.status)).toEqual(Array(8).fill(200));
      expect(handlers.calls).toHaveLength(8);
      expect(server.listening).toBe(before);
    });
  });

  it('sends no credential when the app turned verification off, and refuses a mechanism the app does not configure', async () => {
    const harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { verify: false } },
      providers: [RecordingHandlers],
    });
    try {
      expect((await deliver(harness.app, buildCallEnded())).status).toBe(200);
      await expect(deliver(harness.app, buildCallEnded(), { auth: 'secret' })).rejects.toThrow(
        'no webhook.secret',
      );
    } finally {
      await harness.app.close();
    }
  });

  it('reports the 500 a signed delivery gets when the app was created without rawBody', async () => {
    const harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { signingSecret: SIGNING_SECRET } },
    });
    try {
      expect((await deliver(harness.app, buildSessionCreated())).status).toBe(500);
    } finally {
      await harness.app.close();
    }
  });
});
