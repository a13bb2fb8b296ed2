import { randomUUID } from 'node:crypto';
import type {
  CallEndedEvent,
  KnowledgeStoreUpdatedEvent,
  MessageAddedEvent,
  PathorsDialect,
  PathorsPlatformSessionEvent,
  PlatformSessionEndedEvent,
  RecordingReadyEvent,
  SessionCreatedEvent,
  SessionEndedEvent,
  SessionFinalizedEvent,
  SessionStartedEvent,
  SessionUpdatedEvent,
  SubscriptionUpdatedEvent,
  UsageUpdatedEvent,
} from '../events/index.js';

/** A webhook payload as Pathors sends it: plain JSON, timestamps as strings. */
export type PathorsPayload = Record<string, unknown>;

/**
 * The JSON shape Pathors sends for an event class: the class's fields, `Date` fields as ISO 8601 strings, methods
 * left out, nested blocks (the platform `analysis`, `metadata`) in the same JSON shape.
 *
 * @example
 * ```ts
 * const wire: PathorsWirePayload<CallEndedEvent> = { event: 'call.ended', sessionId: 's-1', timestamp: '…', … };
 * ```
 */
export type PathorsWirePayload<T> = T extends Date
  ? string
  : T extends string
    ? T
    : T extends readonly (infer U)[]
      ? PathorsWirePayload<U>[]
      : T extends object
        ? {
            -readonly [
              K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K
            ]: PathorsWirePayload<T[K]>;
          }
        : T;

/**
 * What a builder returns: the event's wire fields, typed, plus any extra field an override added.
 *
 * @example
 * ```ts
 * const payload: PathorsPayloadOf<CallEndedEvent> = buildCallEnded({ callStatus: 'busy', callDuration: 0 });
 * payload.callStatus; // PathorsCallStatusValue: a known status (completed by editors) or any other string
 * ```
 */
export type PathorsPayloadOf<E> = PathorsWirePayload<E> & PathorsPayload;

/**
 * Overrides a builder accepts: every documented field is checked against the event's type (`callDuration: '95'` does
 * not compile); a vendor enum field takes any string, its known values typed (`callStatus: 'busy'`, or a status Pathors
 * added since); extra fields are allowed, as Pathors may add them. Overrides replace top-level fields (no deep merge).
 * To build a deliberately invalid payload, spread the result: `{ ...buildCallEnded(), callDuration: '95' }`.
 */
export type PathorsPayloadOverrides<E> = Partial<PathorsWirePayload<E>> & PathorsPayload;

const now = (): string => new Date().toISOString();

// The defaults are checked against the event's wire type; this cast only asserts that defaults plus overrides are
// complete, which the e2e suite checks by delivering every builder's payload.
const complete = <E>(payload: PathorsPayload): PathorsPayloadOf<E> =>
  payload as unknown as PathorsPayloadOf<E>;

const lifecycle = <E extends { readonly event: string }>(
  event: E['event'],
  fields: Partial<PathorsWirePayload<E>>,
  overrides: PathorsPayloadOverrides<E>,
): PathorsPayloadOf<E> =>
  complete<E>({ event, sessionId: randomUUID(), timestamp: now(), ...fields, ...overrides });

/** Fields every platform session event carries, typed against the shared base class. */
const platformSessionDefaults = (): PathorsWirePayload<
  Omit<PathorsPlatformSessionEvent, 'eventType' | 'state'>
> => ({
  id: randomUUID(),
  type: 'VOICE',
  platform: 'PHONE',
  direction: 'OUTBOUND',
  agentId: '6f1c2a9e-3b7d-4e8f-9a01-2b3c4d5e6f70',
  createdAt: now(),
  lastActivityAt: now(),
  metadata: { customerPhoneNumber: '+14155550123', sessionVariables: { crmContactId: 'crm-42' } },
});

const platformSession = <E extends SessionCreatedEvent | PlatformSessionEndedEvent>(
  eventType: E['eventType'],
  fields: Partial<PathorsWirePayload<E>>,
  overrides: PathorsPayloadOverrides<E>,
): PathorsPayloadOf<E> => complete<E>({ ...platformSessionDefaults(), eventType, ...fields, ...overrides });

const planned = <E>(
  fields: PathorsWirePayload<E>,
  overrides: PathorsPayloadOverrides<E>,
): PathorsPayloadOf<E> => complete<E>({ ...fields, ...overrides });

/** A valid lifecycle `session.ended` payload; `overrides` replace or add fields. */
export const buildSessionEnded = (
  overrides: PathorsPayloadOverrides<SessionEndedEvent> = {},
): PathorsPayloadOf<SessionEndedEvent> =>
  lifecycle(
    'session.ended',
    {
      currentNodeId: 'ask_intention',
      messagesCount: 8,
      extractedVariables: { name: 'Nancy', intention: 'book a demo' },
      reason: 'session_ended',
    },
    overrides,
  );

/** A valid `call.ended` payload. */
export const buildCallEnded = (
  overrides: PathorsPayloadOverrides<CallEndedEvent> = {},
): PathorsPayloadOf<CallEndedEvent> =>
  lifecycle('call.ended', { projectId: 'proj_demo', callStatus: 'userHangup', callDuration: 95 }, overrides);

/** A valid `session.finalized` payload of a call session (call fields present). */
export const buildCallSessionFinalized = (
  overrides: PathorsPayloadOverrides<SessionFinalizedEvent> = {},
): PathorsPayloadOf<SessionFinalizedEvent> =>
  lifecycle(
    'session.finalized',
    {
      projectId: 'proj_demo',
      currentNodeId: 'goodbye',
      messagesCount: 12,
      extractedVariables: { intention: 'book a demo' },
      callStatus: 'agentHangup',
      callDuration: 143,
    },
    overrides,
  );

/** A valid `session.finalized` payload of a text session (call fields absent). */
export const buildTextSessionFinalized = (
  overrides: PathorsPayloadOverrides<SessionFinalizedEvent> = {},
): PathorsPayloadOf<SessionFinalizedEvent> =>
  lifecycle(
    'session.finalized',
    {
      projectId: 'proj_demo',
      currentNodeId: 'goodbye',
      messagesCount: 6,
      extractedVariables: { topic: 'billing' },
    },
    overrides,
  );

/** A valid `recording.ready` payload of a successful recording (pass `{ recordingUrl: undefined }` for a failure). */
export const buildRecordingReady = (
  overrides: PathorsPayloadOverrides<RecordingReadyEvent> = {},
): PathorsPayloadOf<RecordingReadyEvent> =>
  lifecycle(
    'recording.ready',
    { recordingUrl: 'https://recordings.pathors.example/r/abc123.mp3?sig=x' },
    overrides,
  );

/** A valid `session.started` payload. */
export const buildSessionStarted = (
  overrides: PathorsPayloadOverrides<SessionStartedEvent> = {},
): PathorsPayloadOf<SessionStartedEvent> => lifecycle('session.started', {}, overrides);

/** A valid platform `session.created` payload. */
export const buildSessionCreated = (
  overrides: PathorsPayloadOverrides<SessionCreatedEvent> = {},
): PathorsPayloadOf<SessionCreatedEvent> => platformSession('session.created', { state: 'OPEN' }, overrides);

/** A valid platform `session.ended` payload with a full analysis block. */
export const buildPlatformSessionEnded = (
  overrides: PathorsPayloadOverrides<PlatformSessionEndedEvent> = {},
): PathorsPayloadOf<PlatformSessionEndedEvent> =>
  platformSession(
    'session.ended',
    {
      state: 'CLOSED',
      endedAt: now(),
      analysis: {
        summary: 'The customer booked a demo for Tuesday.',
        intent: { conversation: { intent: 'book_demo', confidence: 0.93, explanation: 'Asked for a demo.' } },
        resolution: {
          classification: 'RESOLVED',
          confidenceScore: 0.9,
          satisfiedChecklistItems: ['demo booked'],
          evidence: ['"Tuesday works"'],
          explanation: 'Demo booked.',
        },
        sentiment: { conversation: { sentiment: 'POSITIVE', score: 0.7, detectedLanguage: 'en' } },
        extractedData: { demoDay: 'Tuesday' },
        recordingUrl: 'https://app.pathors.example/recordings/abc',
      },
    },
    overrides,
  );

/** A valid (planned) `session.updated` payload. */
export const buildSessionUpdated = (
  overrides: PathorsPayloadOverrides<SessionUpdatedEvent> = {},
): PathorsPayloadOf<SessionUpdatedEvent> =>
  planned<SessionUpdatedEvent>(
    {
      id: randomUUID(),
      eventType: 'session.updated',
      changes: ['state', 'intelligence'],
      state: 'OPEN',
    },
    overrides,
  );

/** A valid (planned) `message.added` payload. */
export const buildMessageAdded = (
  overrides: PathorsPayloadOverrides<MessageAddedEvent> = {},
): PathorsPayloadOf<MessageAddedEvent> =>
  planned<MessageAddedEvent>(
    {
      id: `msg_${randomUUID().replaceAll('-', '')}`,
      eventType: 'message.added',
      role: 'ASSISTANT',
      content: 'How can I help you today?',
    },
    overrides,
  );

/** A valid (planned) `usage.updated` payload. */
export const buildUsageUpdated = (
  overrides: PathorsPayloadOverrides<UsageUpdatedEvent> = {},
): PathorsPayloadOf<UsageUpdatedEvent> =>
  planned<UsageUpdatedEvent>(
    {
      id: `usage_${randomUUID()}`,
      eventType: 'usage.updated',
      period: { start: '2026-11-01T00:00:00.000Z', end: '2026-11-01T00:01:00.000Z' },
      totals: { chat_messages: 120, voice_seconds: 3600, knowledge_chunks: 42 },
    },
    overrides,
  );

/** A valid (planned) `subscription.updated` payload. */
export const buildSubscriptionUpdated = (
  overrides: PathorsPayloadOverrides<SubscriptionUpdatedEvent> = {},
): PathorsPayloadOf<SubscriptionUpdatedEvent> =>
  planned<SubscriptionUpdatedEvent>(
    {
      id: `sub_${randomUUID()}`,
      eventType: 'subscription.updated',
      status: 'active',
      plan: 'growth',
    },
    overrides,
  );

/** A valid (planned) `knowledge_store.updated` payload. */
export const buildKnowledgeStoreUpdated = (
  overrides: PathorsPayloadOverrides<KnowledgeStoreUpdatedEvent> = {},
): PathorsPayloadOf<KnowledgeStoreUpdatedEvent> =>
  planned<KnowledgeStoreUpdatedEvent>(
    {
      id: `doc_${randomUUID()}`,
      eventType: 'knowledge_store.updated',
      status: 'UPSERTED',
    },
    overrides,
  );

/**
 * One builder per event name and dialect (`session.finalized` builds a call session's; use
 * {@link buildTextSessionFinalized} for a text session's). Handy to cover every event in a test.
 *
 * @example
 * ```ts
 * it.each(Object.entries(PATHORS_EVENT_BUILDERS.lifecycle))('handles %s', async (_name, build) => {
 *   expect((await deliver(app, build())).status).toBe(200);
 * });
 * ```
 */
export const PATHORS_EVENT_BUILDERS: Readonly<
  Record<PathorsDialect, Readonly<Record<string, () => PathorsPayload>>>
> = {
  lifecycle: {
    'session.ended': buildSessionEnded,
    'call.ended': buildCallEnded,
    'session.finalized': buildCallSessionFinalized,
    'recording.ready': buildRecordingReady,
    'session.started': buildSessionStarted,
  },
  platform: {
    'session.created': buildSessionCreated,
    'session.ended': buildPlatformSessionEnded,
    'session.updated': buildSessionUpdated,
    'message.added': buildMessageAdded,
    'usage.updated': buildUsageUpdated,
    'subscription.updated': buildSubscriptionUpdated,
    'knowledge_store.updated': buildKnowledgeStoreUpdated,
  },
};
