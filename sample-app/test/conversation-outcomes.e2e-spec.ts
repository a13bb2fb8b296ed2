import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { plainToInstance } from 'class-transformer';
import { CallEndedEvent } from 'nestjs-pathors';
import {
  PathorsTestingModule,
  buildCallEnded,
  buildTextSessionFinalized,
  deliver,
  deliverSession,
} from 'nestjs-pathors/testing';
import { Database } from '../src/database/database.js';
import { BOOT_TIMEOUT_MS, inMemoryDatabase } from './support/in-memory-database.js';
import { ConversationOutcomesHandler } from '../src/outcomes/conversation-outcomes.handler.js';
import { OutcomesRepository } from '../src/outcomes/outcomes.repository.js';

describe('ConversationOutcomesHandler', () => {
  let app: INestApplication;
  let outcomes: OutcomesRepository;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), PathorsTestingModule.forRoot()],
      providers: [
        { provide: Database, useFactory: inMemoryDatabase },
        OutcomesRepository,
        ConversationOutcomesHandler,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    outcomes = app.get(OutcomesRepository);
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => {
    const database = app?.get(Database);
    await app?.close();
    await database?.close();
  });

  it('records a call session: its outcome, how the call ended and its recording', async () => {
    const { played, results } = await deliverSession(app, { channel: 'call', callStatus: 'voicemail' });
    expect(results.map((result) => result.status)).toEqual([202, 200, 200, 200]);

    const stored = await outcomes.findSession(played.sessionId);
    expect(stored?.outcome).toMatchObject({ channel: 'call', callStatus: 'voicemail' });
    expect(stored?.call).toMatchObject({ callStatus: 'voicemail' });
    expect(stored?.recordings).toEqual([expect.objectContaining({ succeeded: true })]);
  });

  it('writes a redelivered event once, even a copy the module no longer recognises', async () => {
    const event = buildCallEnded({ callStatus: 'busy', callDuration: 0 });
    expect((await deliver(app, event)).body).toEqual({ received: true });
    expect((await deliver(app, event)).body).toMatchObject({ note: 'duplicate: already processed' });
    // A copy the module cannot recognise (its in-memory store emptied by a restart): the unique key holds.
    const copy = plainToInstance(CallEndedEvent, event);
    expect(await app.get(ConversationOutcomesHandler).onCallEnded(copy)).toBe('duplicate');

    const count = 'SELECT count(*)::int AS n FROM call_results WHERE session_id = $1';
    expect(await app.get(Database).query(count, [event.sessionId])).toEqual([{ n: 1 }]);
  });

  it('records a text session without call fields', async () => {
    const event = buildTextSessionFinalized({ messagesCount: 6 });
    expect((await deliver(app, event)).status).toBe(200);

    const stored = await outcomes.findSession(event.sessionId);
    expect(stored?.outcome).toMatchObject({ channel: 'text', callStatus: null, messagesCount: 6 });
    expect(stored?.call).toBeNull();
  });

  it('refuses an invalid event with a 400, before any handler stores it', async () => {
    const invalid = { ...buildCallEnded(), callStatus: 42, callDuration: -1 };
    expect((await deliver(app, invalid)).status).toBe(400);

    expect(await outcomes.findSession(invalid.sessionId)).toBeUndefined();
  });
});
