import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, type DynamicModule, type INestApplication, type Provider } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  CallEndedEvent,
  OnPathorsEvent,
  PathorsCallsService,
  PathorsClients,
  PathorsSessionService,
  type PathorsDelivery,
  RecordingReadyEvent,
  SessionFinalizedEvent,
} from 'nestjs-pathors';
import {
  buildCallEnded,
  deliver,
  deliverSession,
  getPathorsSimulator,
  PATHORS_TESTING_SECRET,
  PathorsSimulator,
  PathorsTestingModule,
  sharedSecretHeaders,
  type PathorsTestingModuleOptions,
} from 'nestjs-pathors/testing';
import { ADAPTERS, type AdapterName } from '../support/webhook-app.js';

/** Records the call.ended events of the sales agent only. */
@Injectable()
class PerAgentOutcomes {
  readonly seen: string[] = [];

  @OnPathorsEvent('call.ended', { registration: 'sales' })
  salesCallEnded(event: CallEndedEvent, delivery: PathorsDelivery) {
    this.seen.push(`${delivery.registration}:${event.sessionId}`);
  }
}

/** A consumer as a user writes it: it starts calls through the API and records outcomes from the webhooks. */
@Injectable()
class FollowUps {
  readonly outcomes: Array<{ sessionId: string; kind: string; detail: unknown }> = [];
  constructor(private readonly calls: PathorsCallsService) {}

  start(contactId: string) {
    return this.calls.startOutboundCall({
      fromNumber: '+14155550100',
      toNumber: '+14155550123',
      dynamicVariables: { crmContactId: contactId },
    });
  }

  @OnPathorsEvent('session.finalized')
  finalized(event: SessionFinalizedEvent) {
    this.outcomes.push({
      sessionId: event.sessionId,
      kind: event.isCall() ? 'call' : 'text',
      detail: event.callStatus,
    });
  }

  @OnPathorsEvent('call.ended')
  async callEnded(event: CallEndedEvent) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.outcomes.push({ sessionId: event.sessionId, kind: 'call.ended', detail: event.callDuration });
  }

  @OnPathorsEvent('recording.ready')
  recording(event: RecordingReadyEvent) {
    this.outcomes.push({ sessionId: event.sessionId, kind: 'recording', detail: event.hasRecording() });
  }
}

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function boot(adapter: AdapterName, options?: PathorsTestingModuleOptions): Promise<INestApplication> {
  return bootWith(adapter, [PathorsTestingModule.forRoot(options)], [FollowUps]);
}

async function bootWith(
  adapter: AdapterName,
  testingModules: DynamicModule[],
  providers: Provider[],
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [EventEmitterModule.forRoot(), ...testingModules],
    providers,
  }).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  apps.push(app);
  await app.init();
  return app;
}

describe.each(ADAPTERS)('PathorsTestingModule on %s', (adapter) => {
  it('points the API services at the simulator and plays the started call to its end through the handlers', async () => {
    const app = await boot(adapter);
    const followUps = app.get(FollowUps);
    await followUps.start('crm-42');
    const simulator = app.get(PathorsSimulator);
    const [call] = simulator.outboundCalls();
    expect(call.dynamicVariables).toEqual({ crmContactId: 'crm-42' });

    const { played, results } = await deliverSession(app, {
      sessionId: call.sessionId,
      callStatus: 'voicemail',
      callDuration: 31,
      recording: 'failure',
    });
    expect(played.payloads.map((payload) => payload.event)).toEqual([
      'session.ended',
      'call.ended',
      'session.finalized',
      'recording.ready',
    ]);
    // session.ended has no handler here: 202; the others ran their handlers before deliverSession resolved.
    expect(results.map((result) => result.status)).toEqual([202, 200, 200, 200]);
    expect(followUps.outcomes).toEqual([
      { sessionId: call.sessionId, kind: 'call.ended', detail: 31 },
      { sessionId: call.sessionId, kind: 'call', detail: 'voicemail' },
      { sessionId: call.sessionId, kind: 'recording', detail: false },
    ]);
  });

  it('plays a text session (no call events) and accepts the documented secret', async () => {
    const app = await boot(adapter);
    const session = await app
      .get(PathorsSessionService)
      .createSession({ sessionId: 'chat-7', variables: { a: 1 } });
    const { results } = await deliverSession(app, { sessionId: session.sessionId });
    expect(results.map((result) => result.status)).toEqual([202, 200]);
    expect(app.get(FollowUps).outcomes).toEqual([{ sessionId: 'chat-7', kind: 'text', detail: undefined }]);
    const explicit = await deliver(app, buildCallEnded(), {
      auth: 'none',
      headers: sharedSecretHeaders(PATHORS_TESTING_SECRET),
    });
    expect(explicit.status).toBe(200);
  });

  it('passes PathorsModule and simulator options through, and stops the simulator with the app', async () => {
    const app = await boot(adapter, {
      simulator: { credits: 0 },
      pathors: { webhook: { path: 'hooks/pathors', secret: 'custom-secret' } },
    });
    await expect(app.get(FollowUps).start('crm-1')).rejects.toMatchObject({ status: 402 });
    expect(
      (await deliver(app, buildCallEnded(), { auth: 'none', headers: sharedSecretHeaders('custom-secret') }))
        .status,
    ).toBe(200);
    expect((await deliver(app, buildCallEnded(), { path: '/pathors/webhooks' })).status).toBe(404);
    const simulator = app.get(PathorsSimulator);
    await app.close();
    apps.length = 0;
    expect(() => simulator.url).toThrow('not started');
  });

  it('gives each named registration its own simulator, route and handlers', async () => {
    const app = await bootWith(
      adapter,
      [
        PathorsTestingModule.forRoot({ name: 'sales' }),
        PathorsTestingModule.forRoot({ name: 'support', simulator: { credits: 0 } }),
      ],
      [PerAgentOutcomes],
    );

    const sales = getPathorsSimulator(app, 'sales');
    const support = getPathorsSimulator(app, 'support');
    expect(sales).not.toBe(support);
    // Each registration's API reaches its own simulator: only support's has no credits.
    const clients = app.get(PathorsClients);
    await clients
      .get('sales')
      .calls.startOutboundCall({ fromNumber: '+14155550100', toNumber: '+14155550123' });
    await expect(
      clients
        .get('support')
        .calls.startOutboundCall({ fromNumber: '+14155550100', toNumber: '+14155550123' }),
    ).rejects.toMatchObject({ status: 402 });
    const [call] = sales.outboundCalls();

    const { results } = await deliverSession(app, { sessionId: call.sessionId }, { registration: 'sales' });
    expect(results.map((result) => result.status)).toEqual([202, 200, 202, 202]);
    expect((await deliver(app, buildCallEnded(), { registration: 'support' })).status).toBe(202);
    expect(app.get(PerAgentOutcomes).seen).toEqual([`sales:${call.sessionId}`]);
  });
});
