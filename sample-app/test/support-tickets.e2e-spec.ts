import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { plainToInstance } from 'class-transformer';
import { PathorsModule, SessionFinalizedEvent } from 'nestjs-pathors';
import {
  PathorsTestingModule,
  buildCallSessionFinalized,
  buildTextSessionFinalized,
  deliver,
} from 'nestjs-pathors/testing';
import { SUPPORT_AGENT } from '../src/config/agents.js';
import { Database } from '../src/database/database.js';
import { BOOT_TIMEOUT_MS, inMemoryDatabase } from './support/in-memory-database.js';
import { ConversationOutcomesHandler } from '../src/outcomes/conversation-outcomes.handler.js';
import { OutcomesRepository } from '../src/outcomes/outcomes.repository.js';
import { SupportTicketsHandler } from '../src/support/support-tickets.handler.js';
import { SupportTicketsRepository } from '../src/support/support-tickets.repository.js';

describe('SupportTicketsHandler beside the follow-up outcome handlers', () => {
  let app: INestApplication;
  let tickets: SupportTicketsRepository;
  let outcomes: OutcomesRepository;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        // The follow-up agent (the default registration) and the support agent, each with its own webhook secret.
        PathorsTestingModule.forRoot(),
        PathorsModule.forRoot({ name: SUPPORT_AGENT, webhook: { secret: 'support-test-secret' } }),
      ],
      providers: [
        { provide: Database, useFactory: inMemoryDatabase },
        OutcomesRepository,
        ConversationOutcomesHandler,
        SupportTicketsRepository,
        SupportTicketsHandler,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tickets = app.get(SupportTicketsRepository);
    outcomes = app.get(OutcomesRepository);
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => {
    const database = app?.get(Database);
    await app?.close();
    await database?.close();
  });

  it("closes the ticket the app opened from the support agent's session.finalized, and stores no follow-up outcome", async () => {
    const event = buildTextSessionFinalized({
      messagesCount: 5,
      extractedVariables: { resolution: 'escalated', crmContactId: 'crm-other' },
    });
    await tickets.open(event.sessionId, 'crm-42', 'cannot sign in');
    expect(await tickets.find(event.sessionId)).toMatchObject({ status: 'open', resolution: null });

    expect((await deliver(app, event, { registration: SUPPORT_AGENT })).status).toBe(200);
    expect(await tickets.find(event.sessionId)).toMatchObject({
      channel: 'text',
      status: 'closed',
      resolution: 'escalated',
      // What the app recorded when it opened the chat wins over what the agent extracted.
      crmContactId: 'crm-42',
      issue: 'cannot sign in',
      messagesCount: 5,
    });
    expect(await outcomes.findSession(event.sessionId)).toBeUndefined();
  });

  it('creates and closes the ticket of an incoming support call in one write, and a redelivery writes nothing', async () => {
    const event = buildCallSessionFinalized({
      callDuration: 95,
      extractedVariables: { crmContactId: 'crm-7', issue: 'refund', resolution: 'resolved' },
    });
    expect((await deliver(app, event, { registration: SUPPORT_AGENT })).body).toEqual({ received: true });
    const closed = await tickets.find(event.sessionId);
    expect(closed).toMatchObject({
      channel: 'call',
      status: 'closed',
      crmContactId: 'crm-7',
      issue: 'refund',
      resolution: 'resolved',
      callDurationSeconds: 95,
    });
    // A copy the module no longer recognises (its store emptied by a restart): the closed ticket stays as it was.
    const copy = { ...event, extractedVariables: { resolution: 'escalated' } };
    expect(
      await app.get(SupportTicketsHandler).onSessionFinalized(plainToInstance(SessionFinalizedEvent, copy)),
    ).toBe('duplicate');
    expect(await tickets.find(event.sessionId)).toEqual(closed);
  });

  it("leaves the follow-up agent's sessions to the follow-up handlers: no ticket", async () => {
    const event = buildTextSessionFinalized();
    expect((await deliver(app, event)).status).toBe(200);
    expect(await outcomes.findSession(event.sessionId)).toMatchObject({ outcome: { channel: 'text' } });
    expect(await tickets.find(event.sessionId)).toBeUndefined();
  });

  it("refuses the follow-up agent's secret on the support webhook", async () => {
    const event = buildTextSessionFinalized();
    const answer = await deliver(app, event, {
      registration: SUPPORT_AGENT,
      headers: { authorization: 'Bearer pathors-testing-secret' },
    });
    expect(answer.status).toBe(401);
    expect(await tickets.find(event.sessionId)).toBeUndefined();
  });
});
