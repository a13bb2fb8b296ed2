import { describe, expect, it } from '@jest/globals';
import type { CallEndedEvent, PathorsCallStatusValue } from 'nestjs-pathors';
import {
  buildCallEnded,
  buildPlatformSessionEnded,
  buildRecordingReady,
  buildSessionCreated,
  buildSessionEnded,
  buildTextSessionFinalized,
  PATHORS_EVENT_BUILDERS,
  type PathorsPayload,
  type PathorsPayloadOf,
} from 'nestjs-pathors/testing';
import { PATHORS_EVENT_CLASSES } from '../../libs/pathors/src/events/pathors-event.map.js';
import { parsePathorsEvent } from '../../libs/pathors/src/events/pathors-event.parser.js';

const BUILDERS: Array<[string, () => PathorsPayload]> = [
  ...Object.entries(PATHORS_EVENT_BUILDERS.lifecycle),
  ['session.finalized', buildTextSessionFinalized],
  ...Object.entries(PATHORS_EVENT_BUILDERS.platform),
];

describe('event builders', () => {
  it('has a builder for every event the webhook knows, in both dialects', () => {
    expect(Object.keys(PATHORS_EVENT_BUILDERS.lifecycle).sort()).toEqual(
      [...PATHORS_EVENT_CLASSES.lifecycle.keys()].sort(),
    );
    expect(Object.keys(PATHORS_EVENT_BUILDERS.platform).sort()).toEqual(
      [...PATHORS_EVENT_CLASSES.platform.keys()].sort(),
    );
  });

  it.each(BUILDERS)('%s builds a payload the webhook validates as that event', (name, build) => {
    const parsed = parsePathorsEvent(JSON.parse(JSON.stringify(build())));
    expect(parsed).toMatchObject({ kind: 'known', name });
  });

  it('gives every payload its own session and the current time', () => {
    const before = Date.now();
    const [a, b] = [buildCallEnded(), buildCallEnded()];
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(Date.parse(a.timestamp)).toBeGreaterThanOrEqual(before - 1);
    expect(buildSessionCreated().id).not.toBe(buildSessionCreated().id);
  });

  it('applies overrides, keeps extra fields, and removes a field set to undefined', () => {
    const payload = buildRecordingReady({ sessionId: 's-1', recordingUrl: undefined, carrier: 'acme' });
    expect(payload).toMatchObject({ event: 'recording.ready', sessionId: 's-1', carrier: 'acme' });
    expect(parsePathorsEvent(JSON.parse(JSON.stringify(payload)))).toMatchObject({ kind: 'known' });
    expect(JSON.parse(JSON.stringify(payload))).not.toHaveProperty('recordingUrl');
  });

  it('types overrides and results after the event class (checked by tsc and ts-jest)', () => {
    const payload: PathorsPayloadOf<CallEndedEvent> = buildCallEnded({ callStatus: 'busy', callDuration: 0 });
    const status: PathorsCallStatusValue = payload.callStatus;
    const timestamp: string = payload.timestamp;
    expect([status, typeof timestamp]).toEqual(['busy', 'string']);

    // A vendor enum takes a status Pathors added after this version, as the webhook does.
    expect(buildCallEnded({ callStatus: 'callbackScheduled' }).callStatus).toBe('callbackScheduled');
    // @ts-expect-error: a call status is a string
    buildCallEnded({ callStatus: 3 });
    // @ts-expect-error: callDuration is a number of seconds
    buildCallEnded({ callDuration: '95' });
    // @ts-expect-error: timestamps travel as ISO 8601 strings, not Date
    buildSessionEnded({ timestamp: new Date() });
    const happy = { conversation: { sentiment: 'HAPPY', score: 'high' } };
    // @ts-expect-error: nested blocks are checked too (a score is a number)
    buildPlatformSessionEnded({ analysis: { sentiment: happy } });
    // @ts-expect-error: the discriminator cannot be changed to another event's
    buildCallEnded({ event: 'session.ended' });
  });
});
