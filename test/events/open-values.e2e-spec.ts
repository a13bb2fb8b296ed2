import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  PATHORS_CALL_STATUSES,
  type CallEndedEvent,
  type PlatformSessionEndedEvent,
  type RecordingReadyEvent,
  type SessionCreatedEvent,
  type SessionFinalizedEvent,
} from 'nestjs-pathors';
import {
  buildCallEnded,
  buildCallSessionFinalized,
  buildKnowledgeStoreUpdated,
  buildMessageAdded,
  buildPlatformSessionEnded,
  buildRecordingReady,
  buildSessionCreated,
  buildSessionUpdated,
  buildSubscriptionUpdated,
  buildTextSessionFinalized,
  deliver,
  type PathorsPayload,
} from 'nestjs-pathors/testing';
import { PathorsWebhookReceiver } from '../../libs/pathors/src/webhooks/pathors-webhook.receiver.js';
import { RecordingHandlers } from '../support/recording-handlers.js';
import { ADAPTERS, useWebhookApp } from '../support/webhook-app.js';

const SECRET = 'open-values-secret-0123456789';

/** A copy of `payload` with the field at the dotted `path` set to `value`. */
function withField(payload: PathorsPayload, path: string, value: unknown): PathorsPayload {
  const copy = structuredClone(payload);
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((block, key) => block[key] as PathorsPayload, copy);
  parent[keys.at(-1)!] = value;
  return copy;
}

/** Every vendor enum field: the handler that receives its event, a builder of that event, the field's path. */
const OPEN_FIELDS: Array<[handler: string, path: string, build: () => PathorsPayload]> = [
  ['call.ended', 'callStatus', buildCallEnded],
  ['session.finalized', 'callStatus', buildCallSessionFinalized],
  ['session.created', 'type', buildSessionCreated],
  ['session.created', 'platform', buildSessionCreated],
  ['session.created', 'direction', buildSessionCreated],
  ['session.created', 'state', buildSessionCreated],
  ['session.ended', 'state', buildPlatformSessionEnded],
  ['session.ended', 'analysis.resolution.classification', buildPlatformSessionEnded],
  ['session.ended', 'analysis.sentiment.conversation.sentiment', buildPlatformSessionEnded],
  ['session.updated', 'state', buildSessionUpdated],
  ['message.added', 'role', buildMessageAdded],
  ['subscription.updated', 'status', buildSubscriptionUpdated],
  ['knowledge_store.updated', 'status', buildKnowledgeStoreUpdated],
];

const valueAt = (block: unknown, path: string): unknown =>
  path.split('.').reduce((value, key) => (value as Record<string, unknown>)[key], block);

describe.each(ADAPTERS)('vendor values on %s', (adapter) => {
  const harness = useWebhookApp({
    adapter,
    pathors: { webhook: { secret: SECRET } },
    providers: [RecordingHandlers],
  });
  let handlers: RecordingHandlers;
  let warn: jest.Spied<Logger['warn']>;
  /** The warnings logged so far that quote `value`. */
  const warningsAbout = (value: string): string[] =>
    warn.mock.calls.map(([message]) => String(message)).filter((message) => message.includes(value));

  beforeAll(() => {
    handlers = harness().get(RecordingHandlers);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => warn.mockRestore());
  beforeEach(() => {
    handlers.calls.length = 0;
  });

  describe('a value this version does not list is accepted', () => {
    it.each(OPEN_FIELDS)(
      '%s %s: 2xx, handed to the handler as sent, listed on the delivery, warned about once',
      async (handler, path, build) => {
        const value = `newValue_${adapter}_${handler}_${path}`;
        const payload = withField(build(), path, value);
        const response = await deliver(harness().app, payload);
        expect(response.status).toBe(200);
        expect(handlers.calls).toHaveLength(1);
        const [{ handler: called, event, delivery }] = handlers.calls;
        expect(called).toBe(handler);
        expect(valueAt(event, path)).toBe(value);
        expect(delivery.unknownValues).toEqual([{ path, value }]);

        const [warning, ...more] = warningsAbout(value);
        expect(more).toEqual([]);
        expect(warning).toContain(handler);
        expect(warning).toContain(path);
        expect(warning).toContain('updating the package');

        // The same value again, in another event: handled, nothing new logged.
        expect((await deliver(harness().app, withField(build(), path, value))).status).toBe(200);
        expect(handlers.calls).toHaveLength(2);
        expect(handlers.calls[1].delivery.unknownValues).toEqual([{ path, value }]);
        expect(warningsAbout(value)).toHaveLength(1);
      },
    );

    it('lists every unknown value of one event and warns about each, naming nothing else of the payload', async () => {
      const payload = withField(
        withField(buildSessionCreated(), 'type', `SMS_${adapter}`),
        'direction',
        `LATERAL_${adapter}`,
      );
      expect((await deliver(harness().app, payload)).status).toBe(200);
      const { event, delivery } = handlers.calls[0];
      expect((event as SessionCreatedEvent).type).toBe(`SMS_${adapter}`);
      expect(delivery.unknownValues).toEqual([
        { path: 'type', value: `SMS_${adapter}` },
        { path: 'direction', value: `LATERAL_${adapter}` },
      ]);
      const warnings = [...warningsAbout(`SMS_${adapter}`), ...warningsAbout(`LATERAL_${adapter}`)];
      expect(warnings).toHaveLength(2);
      for (const secretish of [payload.id as string, '+14155550123', 'crm-42', SECRET])
        expect(warnings.join('\n')).not.toContain(secretish);
    });

    it('quotes at most 100 characters of a long value, and keeps it whole on the delivery', async () => {
      const value = `${adapter}-`.padEnd(5_000, 'x');
      expect((await deliver(harness().app, buildCallEnded({ callStatus: value }))).status).toBe(200);
      expect(handlers.calls[0].delivery.unknownValues).toEqual([{ path: 'callStatus', value }]);
      const [warning] = warningsAbout(`"${adapter}-xxx`);
      expect(warning).toContain(JSON.stringify(value.slice(0, 100)));
      expect(warning).not.toContain(value.slice(0, 101));
    });

    it('forgets the least recently seen value past 256, so memory stays bounded', async () => {
      const receiver = harness().app.get(PathorsWebhookReceiver);
      const receive = (callStatus: string) =>
        receiver.receive({
          headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
          body: buildCallEnded({ callStatus }),
        });
      const first = `bounded_${adapter}_0`;
      const answers = [receive(first)];
      for (let index = 1; index <= 256; index++) answers.push(receive(`bounded_${adapter}_${index}`));
      expect(warningsAbout(`bounded_${adapter}_`)).toHaveLength(257);
      // 256 newer values pushed the first one out: it is warned about again (once more, not on every delivery).
      answers.push(receive(first), receive(first));
      expect(warningsAbout(`"${first}"`)).toHaveLength(2);
      expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual(answers.map(() => 200));
    });
  });

  it('takes transferFailed as a known call status: no warning, nothing on the delivery', async () => {
    expect(PATHORS_CALL_STATUSES).toContain('transferFailed');
    const before = warn.mock.calls.length;
    const payload = buildCallEnded({ callStatus: 'transferFailed', callDuration: 42 });
    expect((await deliver(harness().app, payload)).status).toBe(200);
    const { event, delivery } = handlers.calls[0];
    expect((event as CallEndedEvent).callStatus).toBe('transferFailed');
    expect(delivery.unknownValues).toEqual([]);
    expect(warn.mock.calls.length).toBe(before);
  });

  describe('an optional field sent as null counts as absent', () => {
    it('recording.ready with recordingUrl: null is a failed recording', async () => {
      const payload = { ...buildRecordingReady(), recordingUrl: null };
      expect((await deliver(harness().app, payload)).status).toBe(200);
      const { event, delivery } = handlers.calls[0];
      const recording = event as RecordingReadyEvent;
      expect(recording.hasRecording()).toBe(false);
      expect('recordingUrl' in recording).toBe(false);
      expect(delivery.payload.recordingUrl).toBeNull();
      expect(delivery.idempotencyKey).toMatch(/:recording\.ready:failed$/);
    });

    it('session.finalized with call fields null is a text session', async () => {
      const payload = { ...buildTextSessionFinalized(), callStatus: null, callDuration: null };
      expect((await deliver(harness().app, payload)).status).toBe(200);
      const finalized = handlers.calls[0].event as SessionFinalizedEvent;
      expect(finalized.isCall()).toBe(false);
      expect('callStatus' in finalized).toBe(false);
      expect('callDuration' in finalized).toBe(false);
    });

    it('the platform optional fields and blocks, at any depth', async () => {
      const ended = { ...buildPlatformSessionEnded(), endedAt: null, metadata: null };
      const analysed = withField(
        withField(buildPlatformSessionEnded(), 'analysis.summary', null),
        'analysis.sentiment.conversation.detectedLanguage',
        null,
      );
      const created = { ...buildSessionCreated(), lastActivityAt: null };
      for (const payload of [ended, analysed, created])
        expect((await deliver(harness().app, payload)).status).toBe(200);
      const [first, second, third] = handlers.calls.map((call) => call.event as PlatformSessionEndedEvent);
      expect(['endedAt' in first, 'metadata' in first]).toEqual([false, false]);
      expect(first.analysis?.summary).toEqual(expect.any(String));
      expect('summary' in second.analysis!).toBe(false);
      expect('detectedLanguage' in second.analysis!.sentiment!.conversation).toBe(false);
      expect(second.analysis!.sentiment!.conversation.sentiment).toBe('POSITIVE');
      expect('lastActivityAt' in third).toBe(false);
    });
  });

  describe('the shape is still strict: 400 naming the field', () => {
    it.each<[string, () => PathorsPayload, string]>([
      ['a number for callStatus', () => buildCallEnded({ callStatus: 42 as never }), 'callStatus'],
      ['null for the required callStatus', () => ({ ...buildCallEnded(), callStatus: null }), 'callStatus'],
      ['no callStatus', () => buildCallEnded({ callStatus: undefined }), 'callStatus'],
      ['an object for type', () => withField(buildSessionCreated(), 'type', { name: 'VOICE' }), 'type'],
      ['an array for role', () => withField(buildMessageAdded(), 'role', ['USER']), 'role'],
      [
        'null for the required sentiment',
        () => withField(buildPlatformSessionEnded(), 'analysis.sentiment.conversation.sentiment', null),
        'analysis.sentiment.conversation.sentiment',
      ],
      [
        'a boolean for classification',
        () => withField(buildPlatformSessionEnded(), 'analysis.resolution.classification', true),
        'analysis.resolution.classification',
      ],
      ['a number for recordingUrl', () => buildRecordingReady({ recordingUrl: 42 as never }), 'recordingUrl'],
      ['an unreadable timestamp', () => buildCallEnded({ timestamp: 'yesterday' }), 'timestamp'],
      ['a string for callDuration', () => buildCallEnded({ callDuration: '95' as never }), 'callDuration'],
    ])('%s', async (_case, build, path) => {
      const response = await deliver(harness().app, build());
      expect(response.status).toBe(400);
      expect(
        (response.body as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path),
      ).toContain(path);
      expect(handlers.calls).toHaveLength(0);
    });

    it('400 for a body that is not an object', async () => {
      const response = await deliver(harness().app, ['call.ended'] as never);
      expect(response.status).toBe(400);
      expect((response.body as { issues: unknown }).issues).toEqual([
        { path: '', reason: 'body must be a JSON object' },
      ]);
    });
  });
});
