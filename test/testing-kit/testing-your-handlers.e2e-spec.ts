// The example of docs/testing.md ("Testing your handlers"), kept here verbatim so it stays true.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { CallEndedEvent, OnPathorsEvent, SessionFinalizedEvent } from 'nestjs-pathors';
import {
  buildCallEnded,
  buildTextSessionFinalized,
  deliver,
  deliverSession,
  PathorsTestingModule,
} from 'nestjs-pathors/testing';

@Injectable()
class CallOutcomes {
  readonly saved: Array<{ sessionId: string; status: string }> = [];

  @OnPathorsEvent('call.ended')
  async onCallEnded(event: CallEndedEvent) {
    this.saved.push({ sessionId: event.sessionId, status: event.callStatus });
  }

  @OnPathorsEvent('session.finalized')
  async onFinalized(event: SessionFinalizedEvent) {
    if (!event.isCall()) this.saved.push({ sessionId: event.sessionId, status: 'text' });
  }
}

describe('CallOutcomes', () => {
  let app: INestApplication;
  let outcomes: CallOutcomes;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), PathorsTestingModule.forRoot()],
      providers: [CallOutcomes],
    }).compile();
    app = await moduleRef.createNestApplication().init();
    outcomes = app.get(CallOutcomes);
  });
  afterAll(() => app.close());

  it('records how a call ended', async () => {
    const { status } = await deliver(
      app,
      buildCallEnded({ sessionId: 'call-1', callStatus: 'busy', callDuration: 0 }),
    );
    expect(status).toBe(200);
    expect(outcomes.saved).toContainEqual({ sessionId: 'call-1', status: 'busy' });
  });

  it('records a text session', async () => {
    await deliver(app, buildTextSessionFinalized({ sessionId: 'chat-1' }));
    expect(outcomes.saved).toContainEqual({ sessionId: 'chat-1', status: 'text' });
  });

  it('plays a whole call through the simulator', async () => {
    const { played, results } = await deliverSession(app, { channel: 'call', callStatus: 'voicemail' });
    expect(results.map((result) => result.status)).toEqual([202, 200, 200, 202]);
    expect(outcomes.saved).toContainEqual({ sessionId: played.sessionId, status: 'voicemail' });
  });
});
