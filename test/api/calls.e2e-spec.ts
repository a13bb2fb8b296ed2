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
      ['toNumber', { fromNumber: FROM, toNumber: '0912-345-678' }],
      ['toNumber', { fromNumber: FROM, toNumber: '+0415555' }],
      ['toNumber', { fromNumber: FROM, toNumber: '09123' }],
      ['fromNumber', { fromNumber: '+1 415 555 0100', toNumber: '+14155550123' }],
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

describe('local numbers (digits without a country code, as the legacy integration page shows)', () => {
  const LOCAL_TO = '0912345678';
  const LOCAL_FROM = '0221234567';
  const simulator = new PathorsSimulator({ phoneNumbers: [FROM, LOCAL_FROM] });
  let legacy: ApiApp;
  let v1: ApiApp;

  beforeAll(async () => {
    await simulator.start();
    legacy = await createApiApp(simulator, { apiStyle: 'legacy' });
    v1 = await createApiApp(simulator, { apiStyle: 'v1' });
  });
  afterEach(() => simulator.clearRequests());
  afterAll(async () => {
    await legacy.close();
    await v1.close();
    await simulator.stop();
  });

  const rawCall = (path: string, body: Record<string, unknown>) =>
    fetch(`${simulator.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ projectId: simulator.projectId, fromNumber: FROM, ...body }),
    });

  it('legacy: sends a local number exactly as given, and the call is placed to it', async () => {
    const call = await legacy.calls.startOutboundCall({ fromNumber: LOCAL_FROM, toNumber: LOCAL_TO });

    expect(call).toEqual({ queued: true, raw: { success: true } });
    expect(simulator.requests()).toHaveLength(1);
    expect(simulator.requests()[0]).toMatchObject({
      path: '/project/proj_simulator/integration/phone/call/outbound',
      status: 200,
      body: { fromNumber: LOCAL_FROM, toNumber: LOCAL_TO },
    });
    const placed = simulator.outboundCalls().filter((each) => each.toNumber === LOCAL_TO);
    expect(placed).toMatchObject([{ fromNumber: LOCAL_FROM, status: 'in-progress' }]);

    // The call is terminated by the number as it was called.
    await expect(legacy.sessions.terminateSession({ phoneNumber: LOCAL_TO })).resolves.toMatchObject({
      success: true,
    });
    expect(simulator.requests()[1].body).toMatchObject({ phone_number: LOCAL_TO });
    expect(simulator.outboundCalls().find((each) => each.toNumber === LOCAL_TO)?.status).toBe('ended');
  });

  it('legacy: also takes E.164 and a number with its country code but no "+"', async () => {
    await legacy.calls.startOutboundCall({ fromNumber: FROM, toNumber: '+886912345679' });
    await legacy.calls.startOutboundCall({ fromNumber: FROM, toNumber: '886912345670' });

    expect(simulator.requests().map((request) => (request.body as { toNumber: string }).toNumber)).toEqual([
      '+886912345679',
      '886912345670',
    ]);
    expect(simulator.requests().map((request) => request.status)).toEqual([200, 200]);
  });

  it.each([
    ['toNumber', { fromNumber: FROM, toNumber: LOCAL_TO }],
    ['fromNumber', { fromNumber: LOCAL_FROM, toNumber: '+14155550123' }],
  ])(
    'v1: refuses a local %s before sending, naming the field without echoing the number',
    async (field, input) => {
      const failure = await v1.calls.startOutboundCall(input).catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(PathorsInvalidArgumentError);
      expect(failure).toMatchObject({ field });
      const { message } = failure as Error;
      expect(message).toContain(`"${field}"`);
      expect(message).toContain('E.164');
      expect(message).not.toContain(input[field as keyof typeof input].slice(1));
      expect(simulator.requests()).toHaveLength(0);
    },
  );

  it('v1: terminating by a local number is refused before sending', async () => {
    const failure = await v1.sessions.terminateSession({ phoneNumber: LOCAL_TO }).catch((e: unknown) => e);

    expect(failure).toMatchObject({ constructor: PathorsInvalidArgumentError, field: 'phoneNumber' });
    expect(simulator.requests()).toHaveLength(0);
  });

  it("the simulator's legacy route takes a local number, its v1 route only E.164, neither a formatted one", async () => {
    const legacyPath = `/project/${simulator.projectId}/integration/phone/call/outbound`;
    const localOnLegacy = await rawCall(legacyPath, { toNumber: '0912345671' });
    const localOnV1 = await rawCall('/v1/calls/outbound', { toNumber: '0912345672' });
    const spacedOnLegacy = await rawCall(legacyPath, { toNumber: '0912 345 673' });

    expect(localOnLegacy.status).toBe(200);
    expect(simulator.outboundCalls().some((each) => each.toNumber === '0912345671')).toBe(true);
    expect(localOnV1.status).toBe(400);
    expect(await localOnV1.json()).toEqual({ error: 'toNumber must be an E.164 phone number' });
    expect(spacedOnLegacy.status).toBe(400);
    expect(simulator.outboundCalls().some((each) => each.toNumber.startsWith('0912 '))).toBe(false);
  });
});
