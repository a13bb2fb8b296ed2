import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PathorsCallInProgressError,
  PathorsInsufficientCreditsError,
  PathorsInvalidArgumentError,
  PathorsNotFoundError,
  PathorsServerError,
} from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { createApiApp, type ApiApp } from './support/api-app.js';

const FROM = '+14155550100';

describe.each(['v1', 'legacy'] as const)(
  'PathorsCallsService.startOutboundCall over %s paths',
  (apiStyle) => {
    const simulator = new PathorsSimulator({ phoneNumbers: [FROM] });
    let api: ApiApp;

    beforeAll(async () => {
      await simulator.start();
      api = await createApiApp(simulator, { apiStyle });
    });
    afterEach(() => {
      simulator.clearRequests();
      simulator.resetFaults();
      simulator.setCredits(Number.POSITIVE_INFINITY);
    });
    afterAll(async () => {
      await api.close();
      await simulator.stop();
    });

    it('queues a call with the documented body', async () => {
      const call = await api.calls.startOutboundCall({
        fromNumber: FROM,
        toNumber: '+14155550123',
        dynamicVariables: { crmContactId: 'crm-42' },
      });

      expect(call).toEqual({ queued: true, raw: { success: true } });
      expect(simulator.requests()[0]).toMatchObject({
        method: 'POST',
        path:
          apiStyle === 'v1'
            ? '/v1/calls/outbound'
            : '/project/proj_simulator/integration/phone/call/outbound',
        body: {
          projectId: 'proj_simulator',
          fromNumber: FROM,
          toNumber: '+14155550123',
          dynamicVariables: { crmContactId: 'crm-42' },
        },
      });
      const [placed] = simulator.outboundCalls().filter((each) => each.toNumber === '+14155550123');
      expect(placed).toMatchObject({ status: 'in-progress', dynamicVariables: { crmContactId: 'crm-42' } });
      await simulator.playSession({ sessionId: placed.sessionId, delivery: false });
    });

    it('rejects a second call to a number while the first is in progress (409), accepts it once that ended', async () => {
      await api.calls.startOutboundCall({ fromNumber: FROM, toNumber: '+14155550124' });

      const failure = await api.calls
        .startOutboundCall({ fromNumber: FROM, toNumber: '+14155550124' })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(PathorsCallInProgressError);
      expect(failure).toMatchObject({
        status: 409,
        apiMessage: 'A call to this number is already in progress',
      });
      // The message never carries the phone number.
      expect((failure as Error).message).not.toContain('5550124');

      const [running] = simulator.outboundCalls().filter((each) => each.toNumber === '+14155550124');
      await simulator.playSession({ sessionId: running.sessionId, delivery: false });
      await expect(
        api.calls.startOutboundCall({ fromNumber: FROM, toNumber: '+14155550124' }),
      ).resolves.toMatchObject({
        queued: true,
      });
    });

    it('reports insufficient credits (402)', async () => {
      simulator.setCredits(0);

      await expect(
        api.calls.startOutboundCall({ fromNumber: FROM, toNumber: '+14155550125' }),
      ).rejects.toMatchObject({
        constructor: PathorsInsufficientCreditsError,
        status: 402,
        apiMessage: 'Insufficient credits',
      });
    });

    it('reports an unknown caller number (404)', async () => {
      await expect(
        api.calls.startOutboundCall({ fromNumber: '+14155559999', toNumber: '+14155550126' }),
      ).rejects.toBeInstanceOf(PathorsNotFoundError);
    });

    it('never retries a call (a retry could dial twice)', async () => {
      simulator.failNext(1, 503);

      await expect(
        api.calls.startOutboundCall({ fromNumber: FROM, toNumber: '+14155550127' }),
      ).rejects.toBeInstanceOf(PathorsServerError);
      expect(simulator.requests()).toHaveLength(1);
      expect(simulator.outboundCalls().some((each) => each.toNumber === '+14155550127')).toBe(false);
    });

    it.each([
      ['toNumber', { fromNumber: FROM, toNumber: '415 555 0123' }],
      ['toNumber', { fromNumber: FROM, toNumber: '+0415555' }],
      ['fromNumber', { fromNumber: '14155550100', toNumber: '+14155550123' }],
      ['dynamicVariables', { fromNumber: FROM, toNumber: '+14155550123', dynamicVariables: 'x' }],
    ])('checks %s before sending (%j)', async (field, input) => {
      const failure = await api.calls
        .startOutboundCall(input as Parameters<ApiApp['calls']['startOutboundCall']>[0])
        .catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(PathorsInvalidArgumentError);
      expect(failure).toMatchObject({ field });
      // The rejected value is not echoed: phone numbers stay out of messages.
      expect((failure as Error).message).not.toContain(String((input as Record<string, unknown>)[field]));
      expect(simulator.requests()).toHaveLength(0);
    });
  },
);
