import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildCallEnded, sharedSecretHeaders, PathorsSimulator } from 'nestjs-pathors/testing';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { sampleAgents, sampleAppMode, type RunningSampleApp } from '../../sample-app/src/bootstrap.js';
import { FOLLOW_UP_AGENT, SUPPORT_AGENT, type SampleAgent } from '../../sample-app/src/config/agents.js';
import { Database } from '../../sample-app/src/database/database.js';
import type { PlayedDemoSession } from '../../sample-app/src/embedded/demo-sessions.service.js';
import type { DeliveryTrace } from '../../sample-app/src/inspector/delivery-trace.types.js';
import type { InspectorInfo } from '../../sample-app/src/inspector/inspector.controller.js';
import type { SessionOutcome, SessionRecord } from '../../sample-app/src/outcomes/outcomes.repository.js';
import type { SupportTicket } from '../../sample-app/src/support/support-tickets.repository.js';
import { bootSampleApp } from './support/sample-app.harness.js';

/** Booting includes starting PGlite (WebAssembly), which takes a while on a busy machine. */
const BOOT_TIMEOUT_MS = 120_000;

/** The PostgreSQL server of the test machine (trust auth); each run works in a schema of its own. */
const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A small client of the running sample app. */
function client(running: RunningSampleApp) {
  const json = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${running.url}${path}`, init);
    return { status: response.status, body: (await response.json()) as T };
  };
  const post = <T>(path: string, body: unknown, headers: Record<string, string> = {}) =>
    json<T>(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return {
    play: (
      kind: 'call' | 'text',
      options: { agent?: SampleAgent; duplicates?: boolean; reorder?: boolean } = {},
    ) => post<PlayedDemoSession>('/demo/sessions', { kind, ...options }),
    ticket: (sessionId: string) => json<SupportTicket>(`/support/tickets/${encodeURIComponent(sessionId)}`),
    session: (sessionId: string) => json<SessionRecord>(`/outcomes/${encodeURIComponent(sessionId)}`),
    outcomes: (limit: number) => json<SessionOutcome[]>(`/outcomes?limit=${limit}`),
    deliveriesOf: async (sessionId: string) =>
      (await json<DeliveryTrace[]>('/inspector/deliveries')).body.filter(
        (trace) => trace.sessionId === sessionId,
      ),
    post,
    json,
  };
}

/** Rows stored for a session in each outcome table (`support_tickets` too when asked). */
async function rowCounts(
  running: RunningSampleApp,
  sessionId: string,
  tables = ['session_outcomes', 'call_results', 'recordings'],
): Promise<Record<string, number>> {
  const db = running.app.get(Database);
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE session_id = $1`,
      [sessionId],
    );
    counts[table] = row.n;
  }
  return counts;
}

const schema = `sample_app_${randomUUID().replaceAll('-', '')}`;
/** `DATABASE_URL` of a schema created for this run (dropped after it), so runs never see each other's rows. */
const databaseUrl = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const admin = new pg.Client({ connectionString: POSTGRES_URL });

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
});

describe('sample app on the embedded simulator, PGlite', () => {
  let running: RunningSampleApp;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    running = await bootSampleApp();
    api = client(running);
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => running?.app.close());

  it('runs in embedded mode without credentials, a simulated project with its own secret for each agent', async () => {
    expect(running.mode).toBe('embedded');
    expect(running.agents).toEqual([FOLLOW_UP_AGENT, SUPPORT_AGENT]);
    const followUp = running.embedded!.project(FOLLOW_UP_AGENT);
    const support = running.embedded!.project(SUPPORT_AGENT);
    expect(followUp.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(support.baseUrl).not.toBe(followUp.baseUrl);
    expect(support.webhookSecret).not.toBe(followUp.webhookSecret);
    // Each project's agent posts to its own route, with its own secret.
    expect(followUp.simulator.agentConfig().postSessionWebhook).toMatchObject({
      url: `${running.url}/pathors/webhooks`,
      headers: [{ key: 'Authorization', value: `Bearer ${followUp.webhookSecret}` }],
    });
    expect(support.simulator.agentConfig().postSessionWebhook).toMatchObject({
      url: `${running.url}/pathors/webhooks/support`,
      headers: [{ key: 'Authorization', value: `Bearer ${support.webhookSecret}` }],
    });
    expect((await api.json<InspectorInfo>('/inspector/info')).body).toEqual({
      mode: 'embedded',
      agents: [
        { agent: 'default', webhookPath: '/pathors/webhooks' },
        { agent: 'support', webhookPath: '/pathors/webhooks/support' },
      ],
    });
  });

  it('records a played call: outcome with call fields, how the call ended, the recording, the CRM contact', async () => {
    const played = await api.play('call');
    expect(played.status).toBe(200);
    const { sessionId, callStatus, callDuration, crmContactId } = played.body;
    expect(played.body.agent).toBe('default');
    expect(played.body.deliveries.map((d) => [d.event, d.status])).toEqual([
      ['session.ended', 200],
      ['call.ended', 200],
      ['session.finalized', 200],
      ['recording.ready', 200],
    ]);

    const stored = await api.session(sessionId);
    expect(stored.status).toBe(200);
    expect(stored.body.outcome).toMatchObject({
      channel: 'call',
      callStatus,
      callDurationSeconds: callDuration,
      messagesCount: 4,
      crmContactId,
    });
    expect(stored.body.call).toMatchObject({ callStatus, callDurationSeconds: callDuration });
    expect(stored.body.recordings).toEqual([
      expect.objectContaining({ succeeded: true, recordingUrl: expect.stringContaining(sessionId) }),
    ]);
  });

  it('records a text session without call fields, attached to the contact of the follow-up that opened it', async () => {
    const played = await api.play('text');
    expect(played.status).toBe(200);
    const { sessionId, crmContactId } = played.body;
    expect(sessionId).toMatch(/^follow-up-/);
    expect(played.body.deliveries.map((d) => [d.event, d.status])).toEqual([
      ['session.ended', 200],
      ['session.finalized', 200],
    ]);

    const stored = await api.session(sessionId);
    expect(stored.body).toMatchObject({
      outcome: { channel: 'text', callStatus: null, callDurationSeconds: null, crmContactId },
      call: null,
      recordings: [],
    });
  });

  it('stores a duplicated, reordered call once, and the inspector shows each delivery and the dropped copies', async () => {
    const played = await api.play('call', { duplicates: true, reorder: true });
    expect(played.status).toBe(200);
    const { sessionId, deliveries } = played.body;
    expect(deliveries.map((d) => d.event)).toEqual([
      'recording.ready',
      'recording.ready',
      'session.finalized',
      'session.finalized',
      'call.ended',
      'call.ended',
      'session.ended',
      'session.ended',
    ]);
    expect(deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);
    expect(await rowCounts(running, sessionId)).toEqual({
      session_outcomes: 1,
      call_results: 1,
      recordings: 1,
    });

    const traces = await api.deliveriesOf(sessionId);
    expect(traces.map((t) => [t.registration, t.event, t.status, t.dialect])).toEqual(
      deliveries.map((d) => ['default', d.event, d.status, 'lifecycle']),
    );
    const finalized = traces.filter((t) => t.event === 'session.finalized');
    expect(finalized[0].handlers).toEqual([
      {
        handler: 'ConversationOutcomesHandler.onSessionFinalized',
        status: 'succeeded',
        result: 'recorded',
      },
    ]);
    expect(finalized[0].duplicatesDropped).toBe(0);
    expect(finalized[1]).toMatchObject({ handlers: [], duplicatesDropped: 1 });
  });

  it('shows a refused delivery in the inspector with its status and validation errors, and stores nothing', async () => {
    const secret = running.embedded!.environment().PATHORS_WEBHOOK_SECRET;
    const sessionId = randomUUID();
    const invalid = { ...buildCallEnded({ sessionId }), callStatus: 42, callDuration: -1 };
    const refused = await api.post('/pathors/webhooks', invalid, sharedSecretHeaders(secret));
    expect(refused.status).toBe(400);
    const unauthenticated = await api.post(
      '/pathors/webhooks',
      buildCallEnded({ sessionId }),
      sharedSecretHeaders('wrong'),
    );
    expect(unauthenticated.status).toBe(401);

    const traces = await api.deliveriesOf(sessionId);
    expect(traces).toEqual([
      expect.objectContaining({ event: 'call.ended', status: 400, handlers: [] }),
      expect.objectContaining({ event: 'call.ended', status: 401, handlers: [], issues: [] }),
    ]);
    expect(traces[0].issues.map((issue) => issue.path).sort()).toEqual(['callDuration', 'callStatus']);
    expect((await api.session(sessionId)).status).toBe(404);
  });

  it('plays a support chat in the support project: its handler closes the ticket, the inspector names the agent', async () => {
    const played = await api.play('text', { agent: 'support' });
    expect(played.status).toBe(200);
    const { sessionId, crmContactId, issue, resolution } = played.body;
    expect(played.body.agent).toBe('support');
    expect(sessionId).toMatch(/^support-/);
    expect(played.body.deliveries.map((d) => [d.event, d.status])).toEqual([
      ['session.ended', 200],
      ['session.finalized', 200],
    ]);
    // Opened through the support registration's API, in the support project only.
    expect(running.embedded!.project(SUPPORT_AGENT).simulator.session(sessionId)?.variables).toMatchObject({
      crmContactId,
      issue,
    });
    expect(running.embedded!.project(FOLLOW_UP_AGENT).simulator.session(sessionId)).toBeUndefined();

    expect(await api.ticket(sessionId)).toEqual({
      status: 200,
      body: expect.objectContaining({
        sessionId,
        channel: 'text',
        crmContactId,
        issue,
        status: 'closed',
        resolution,
        messagesCount: 4,
        callDurationSeconds: null,
      }),
    });
    // The follow-up agent's handlers never saw it.
    expect((await api.session(sessionId)).status).toBe(404);

    const traces = await api.deliveriesOf(sessionId);
    expect(traces.map((t) => [t.registration, t.event, t.status, t.handlers])).toEqual([
      [
        'support',
        'session.ended',
        200,
        [{ handler: 'SessionSummariesHandler.onSessionEnded', status: 'succeeded' }],
      ],
      [
        'support',
        'session.finalized',
        200,
        [{ handler: 'SupportTicketsHandler.onSessionFinalized', status: 'succeeded', result: 'recorded' }],
      ],
    ]);
  });

  it('records a duplicated support call once, as a ticket, and none of its events as a follow-up outcome', async () => {
    const played = await api.play('call', { agent: 'support', duplicates: true });
    expect(played.status).toBe(200);
    const { sessionId, deliveries } = played.body;
    expect(deliveries).toHaveLength(8);
    expect(deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);
    expect(
      await rowCounts(running, sessionId, [
        'support_tickets',
        'session_outcomes',
        'call_results',
        'recordings',
      ]),
    ).toEqual({ support_tickets: 1, session_outcomes: 0, call_results: 0, recordings: 0 });
    expect((await api.ticket(sessionId)).body).toMatchObject({
      channel: 'call',
      status: 'closed',
      callDurationSeconds: played.body.callDuration,
    });

    const finalized = (await api.deliveriesOf(sessionId)).filter((t) => t.event === 'session.finalized');
    expect(finalized.map((t) => [t.registration, t.duplicatesDropped])).toEqual([
      ['support', 0],
      ['support', 1],
    ]);
    // No handler of the app listens to the support agent's call.ended: 202, as the module answers an unwanted event.
    const callEnded = (await api.deliveriesOf(sessionId)).filter((t) => t.event === 'call.ended');
    expect(callEnded[0]).toMatchObject({ registration: 'support', status: 202, handlers: [] });
  });

  it("refuses the follow-up agent's secret on the support webhook, and the inspector lists the 401 under support", async () => {
    const followUpSecret = running.embedded!.project(FOLLOW_UP_AGENT).webhookSecret;
    const supportSecret = running.embedded!.project(SUPPORT_AGENT).webhookSecret;
    const sessionId = randomUUID();
    const event = buildCallEnded({ sessionId, callStatus: 'busy', callDuration: 0 });
    const refused = await api.post('/pathors/webhooks/support', event, sharedSecretHeaders(followUpSecret));
    expect(refused.status).toBe(401);
    const accepted = await api.post('/pathors/webhooks/support', event, sharedSecretHeaders(supportSecret));
    expect(accepted.status).toBe(202);

    expect((await api.deliveriesOf(sessionId)).map((t) => [t.registration, t.status])).toEqual([
      ['support', 401],
      ['support', 202],
    ]);
  });

  it('queues a follow-up call with the contact as a dynamic variable, masks the number, and passes on a 409', async () => {
    const request = { crmContactId: 'crm-55', toNumber: '+14155550199' };
    const queued = await api.post<{ queued: boolean; toNumber: string }>('/follow-ups/calls', request);
    expect(queued).toEqual({
      status: 202,
      body: { queued: true, crmContactId: 'crm-55', toNumber: '+1415***0199' },
    });

    const again = await api.post<{ message: string; pathorsStatus: number }>('/follow-ups/calls', request);
    expect(again.status).toBe(409);
    expect(again.body.pathorsStatus).toBe(409);
    expect(again.body.message).toMatch(/^Pathors refused the request: /);
  });

  it('lists the latest outcomes, newest first, within the limit', async () => {
    const { body: first } = await api.play('text');
    const { body: second } = await api.play('text');
    const { status, body } = await api.outcomes(2);
    expect(status).toBe(200);
    expect(body.map((outcome) => outcome.sessionId)).toEqual([second.sessionId, first.sessionId]);
    // Below the range is brought to one item; a limit that is not a whole number is refused, naming it.
    expect((await api.outcomes(0)).body.map((outcome) => outcome.sessionId)).toEqual([second.sessionId]);
    const refused = await api.json<{ message: string }>('/outcomes?limit=2.5');
    expect(refused).toEqual({
      status: 400,
      body: expect.objectContaining({ message: 'limit must be a whole number' }),
    });
  });

  it('refuses a follow-up call to a number that is not E.164, naming the field, before calling Pathors', async () => {
    const outboundCalls = () =>
      running.embedded!.project(FOLLOW_UP_AGENT).simulator.requestsMatching({ path: '/v1/calls/outbound' })
        .length;
    const callsBefore = outboundCalls();
    expect(callsBefore).toBeGreaterThan(0); // the calls of the tests above were counted
    const answer = await api.post<{ message: string[] }>('/follow-ups/calls', {
      crmContactId: 'crm-1',
      toNumber: '0800 123',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toEqual(['toNumber must be an E.164 phone number such as +14155550123']);
    expect(outboundCalls()).toBe(callsBefore);
  });
});

describe('sample app on PostgreSQL (DATABASE_URL)', () => {
  it(
    'stores outcomes in PostgreSQL, and a redelivery after a restart does not write twice',
    async () => {
      const first = await bootSampleApp({ DATABASE_URL: databaseUrl });
      let played: PlayedDemoSession;
      try {
        played = (await client(first).play('call')).body;
        expect(played.deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);
      } finally {
        await first.app.close();
      }
      const stored = await admin.query(
        `SELECT channel, call_status, crm_contact_id FROM ${schema}.session_outcomes`,
      );
      expect(stored.rows).toEqual([
        { channel: 'call', call_status: played.callStatus, crm_contact_id: played.crmContactId },
      ]);

      // A new process has an empty in-memory idempotency store: only the table's unique key stops the second write.
      const second = await bootSampleApp({ DATABASE_URL: databaseUrl });
      try {
        const api = client(second);
        const secret = second.embedded!.environment().PATHORS_WEBHOOK_SECRET;
        const redelivered = buildCallEnded({
          sessionId: played.sessionId,
          callStatus: played.callStatus,
          callDuration: played.callDuration,
        });
        expect((await api.post('/pathors/webhooks', redelivered, sharedSecretHeaders(secret))).status).toBe(
          200,
        );
        const [trace] = await api.deliveriesOf(played.sessionId);
        expect(trace).toMatchObject({ status: 200, duplicatesDropped: 1 });
        expect(trace.handlers).toEqual([
          { handler: 'ConversationOutcomesHandler.onCallEnded', status: 'succeeded', result: 'duplicate' },
        ]);
        expect(await rowCounts(second, played.sessionId)).toEqual({
          session_outcomes: 1,
          call_results: 1,
          recordings: 1,
        });
      } finally {
        await second.app.close();
      }
    },
    BOOT_TIMEOUT_MS,
  );
});

describe('sample app in cloud mode', () => {
  it(
    'talks to the Pathors API given by PATHORS_API_KEY / PATHORS_PROJECT_ID, and mounts no demo endpoints',
    async () => {
      const cloud = new PathorsSimulator();
      await cloud.start();
      const running = await bootSampleApp({
        PATHORS_API_KEY: cloud.apiKey,
        PATHORS_PROJECT_ID: cloud.projectId,
        PATHORS_BASE_URL: cloud.url,
        PATHORS_WEBHOOK_SECRET: 'cloud-secret',
        DATABASE_URL: databaseUrl,
      });
      try {
        expect(running.mode).toBe('cloud');
        const api = client(running);
        const started = await api.post<{ sessionId: string }>('/follow-ups/conversations', {
          crmContactId: 'crm-7',
        });
        expect(started.status).toBe(201);
        expect(cloud.session(started.body.sessionId)?.variables).toMatchObject({ crmContactId: 'crm-7' });
        expect((await api.post('/demo/sessions', { kind: 'call' })).status).toBe(404);
        // Without PATHORS_SUPPORT_*, the support agent is not registered: no route, no endpoints.
        expect(running.agents).toEqual(['default']);
        expect((await api.json('/support/tickets')).status).toBe(404);
        expect((await api.post('/pathors/webhooks/support', buildCallEnded())).status).toBe(404);
        expect((await api.json<InspectorInfo>('/inspector/info')).body.agents).toEqual([
          { agent: 'default', webhookPath: '/pathors/webhooks' },
        ]);
      } finally {
        await running.app.close();
        await cloud.stop();
      }
    },
    BOOT_TIMEOUT_MS,
  );

  it(
    'registers the support agent from PATHORS_SUPPORT_*: its own project, key and webhook secret',
    async () => {
      const followUpCloud = new PathorsSimulator();
      const supportCloud = new PathorsSimulator({
        apiKey: 'dk_support_cloud',
        projectId: 'proj_support_cloud',
      });
      await Promise.all([followUpCloud.start(), supportCloud.start()]);
      const running = await bootSampleApp({
        PATHORS_API_KEY: followUpCloud.apiKey,
        PATHORS_PROJECT_ID: followUpCloud.projectId,
        PATHORS_BASE_URL: followUpCloud.url,
        PATHORS_WEBHOOK_SECRET: 'cloud-secret',
        PATHORS_SUPPORT_API_KEY: supportCloud.apiKey,
        PATHORS_SUPPORT_PROJECT_ID: supportCloud.projectId,
        PATHORS_SUPPORT_BASE_URL: supportCloud.url,
        PATHORS_SUPPORT_WEBHOOK_SECRET: 'support-cloud-secret',
        DATABASE_URL: databaseUrl,
      });
      try {
        expect(running.agents).toEqual(['default', 'support']);
        const api = client(running);
        const opened = await api.post<{ sessionId: string }>('/support/conversations', {
          crmContactId: 'crm-8',
          issue: 'refund not received',
        });
        expect(opened.status).toBe(201);
        expect(supportCloud.session(opened.body.sessionId)?.variables).toMatchObject({
          crmContactId: 'crm-8',
          issue: 'refund not received',
        });
        expect(followUpCloud.session(opened.body.sessionId)).toBeUndefined();
        expect((await api.ticket(opened.body.sessionId)).body).toMatchObject({
          status: 'open',
          resolution: null,
        });

        // The support agent's session, played by its project to the support route with the support secret.
        const played = await supportCloud.playSession({
          sessionId: opened.body.sessionId,
          extractedVariables: { resolution: 'resolved' },
          delivery: {
            target: `${running.url}/pathors/webhooks/support`,
            headers: sharedSecretHeaders('support-cloud-secret'),
          },
        });
        expect(played.deliveries.map((d) => d.status)).toEqual([200, 200]);
        expect((await api.ticket(opened.body.sessionId)).body).toMatchObject({
          status: 'closed',
          resolution: 'resolved',
          crmContactId: 'crm-8',
        });
        const withFollowUpSecret = await api.post(
          '/pathors/webhooks/support',
          buildCallEnded(),
          sharedSecretHeaders('cloud-secret'),
        );
        expect(withFollowUpSecret.status).toBe(401);
      } finally {
        await running.app.close();
        await Promise.all([followUpCloud.stop(), supportCloud.stop()]);
      }
    },
    BOOT_TIMEOUT_MS,
  );

  it('refuses a half-configured cloud setup instead of falling back to the simulator', () => {
    expect(() => sampleAppMode({ PATHORS_API_KEY: 'dk_x' })).toThrow(
      /Set both PATHORS_API_KEY and PATHORS_PROJECT_ID/,
    );
    expect(sampleAppMode({})).toBe('embedded');
  });

  it('refuses half of the support agent, and registers it on the simulator whatever the shell says', () => {
    expect(() => sampleAgents({ PATHORS_SUPPORT_PROJECT_ID: 'proj_support' }, 'cloud')).toThrow(
      'Set both PATHORS_SUPPORT_API_KEY and PATHORS_SUPPORT_PROJECT_ID to add the support agent (only the project is set)',
    );
    expect(sampleAgents({}, 'cloud')).toEqual(['default']);
    expect(sampleAgents({}, 'embedded')).toEqual(['default', 'support']);
  });
});
