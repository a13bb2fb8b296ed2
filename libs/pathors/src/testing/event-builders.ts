import { randomUUID } from 'node:crypto';

/** A webhook payload as Pathors sends it: plain JSON, timestamps as strings. */
export type PathorsPayload = Record<string, unknown>;

type Overrides = Record<string, unknown>;

const now = (): string => new Date().toISOString();

const lifecycle = (event: string, fields: PathorsPayload, overrides: Overrides): PathorsPayload => ({
  event,
  sessionId: randomUUID(),
  timestamp: now(),
  ...fields,
  ...overrides,
});

const platformSession = (eventType: string, fields: PathorsPayload, overrides: Overrides): PathorsPayload => ({
  id: randomUUID(),
  eventType,
  type: 'VOICE',
  platform: 'PHONE',
  direction: 'OUTBOUND',
  agentId: '6f1c2a9e-3b7d-4e8f-9a01-2b3c4d5e6f70',
  createdAt: now(),
  lastActivityAt: now(),
  metadata: { customerPhoneNumber: '+14155550123', sessionVariables: { crmContactId: 'crm-42' } },
  ...fields,
  ...overrides,
});

/** A valid lifecycle `session.ended` payload; `overrides` replace or add fields. */
export const buildSessionEnded = (overrides: Overrides = {}): PathorsPayload =>
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
export const buildCallEnded = (overrides: Overrides = {}): PathorsPayload =>
  lifecycle('call.ended', { projectId: 'proj_demo', callStatus: 'userHangup', callDuration: 95 }, overrides);

/** A valid `session.finalized` payload of a call session (call fields present). */
export const buildCallSessionFinalized = (overrides: Overrides = {}): PathorsPayload =>
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
export const buildTextSessionFinalized = (overrides: Overrides = {}): PathorsPayload =>
  lifecycle(
    'session.finalized',
    { projectId: 'proj_demo', currentNodeId: 'goodbye', messagesCount: 6, extractedVariables: { topic: 'billing' } },
    overrides,
  );

/** A valid `recording.ready` payload of a successful recording (pass `{ recordingUrl: undefined }` for a failure). */
export const buildRecordingReady = (overrides: Overrides = {}): PathorsPayload =>
  lifecycle('recording.ready', { recordingUrl: 'https://recordings.pathors.example/r/abc123.mp3?sig=x' }, overrides);

/** A valid `session.started` payload. */
export const buildSessionStarted = (overrides: Overrides = {}): PathorsPayload =>
  lifecycle('session.started', {}, overrides);

/** A valid platform `session.created` payload. */
export const buildSessionCreated = (overrides: Overrides = {}): PathorsPayload =>
  platformSession('session.created', { state: 'OPEN' }, overrides);

/** A valid platform `session.ended` payload with a full analysis block. */
export const buildPlatformSessionEnded = (overrides: Overrides = {}): PathorsPayload =>
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
export const buildSessionUpdated = (overrides: Overrides = {}): PathorsPayload => ({
  id: randomUUID(),
  eventType: 'session.updated',
  changes: ['state', 'intelligence'],
  state: 'OPEN',
  ...overrides,
});

/** A valid (planned) `message.added` payload. */
export const buildMessageAdded = (overrides: Overrides = {}): PathorsPayload => ({
  id: `msg_${randomUUID().replaceAll('-', '')}`,
  eventType: 'message.added',
  role: 'ASSISTANT',
  content: 'How can I help you today?',
  ...overrides,
});

/** A valid (planned) `usage.updated` payload. */
export const buildUsageUpdated = (overrides: Overrides = {}): PathorsPayload => ({
  id: `usage_${randomUUID()}`,
  eventType: 'usage.updated',
  period: { start: '2026-11-01T00:00:00.000Z', end: '2026-11-01T00:01:00.000Z' },
  totals: { chat_messages: 120, voice_seconds: 3600, knowledge_chunks: 42 },
  ...overrides,
});

/** A valid (planned) `subscription.updated` payload. */
export const buildSubscriptionUpdated = (overrides: Overrides = {}): PathorsPayload => ({
  id: `sub_${randomUUID()}`,
  eventType: 'subscription.updated',
  status: 'active',
  plan: 'growth',
  ...overrides,
});

/** A valid (planned) `knowledge_store.updated` payload. */
export const buildKnowledgeStoreUpdated = (overrides: Overrides = {}): PathorsPayload => ({
  id: `doc_${randomUUID()}`,
  eventType: 'knowledge_store.updated',
  status: 'UPSERTED',
  ...overrides,
});
