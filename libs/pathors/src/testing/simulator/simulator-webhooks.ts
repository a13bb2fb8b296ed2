import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { standardWebhookHeaders } from '../auth-headers.js';
import {
  buildCallEnded,
  buildCallSessionFinalized,
  buildPlatformSessionEnded,
  buildRecordingReady,
  buildSessionCreated,
  buildSessionEnded,
  buildTextSessionFinalized,
  type PathorsPayload,
} from '../event-builders.js';
import type {
  SimulatedDelivery,
  SimulatedDeliveryAttempt,
  SimulatedDeliveryOptions,
  SimulatedSession,
  SimulatedSessionScript,
  SimulatedSingleDeliveryOptions,
} from './simulator.types.js';

/** The lifecycle events every session can emit, in the documented order. */
export const LIFECYCLE_ORDER = [
  'session.ended',
  'call.ended',
  'session.finalized',
  'recording.ready',
] as const;
/** The platform events delivered today, in order. */
export const PLATFORM_ORDER = ['session.created', 'session.ended'] as const;

const DEFAULT_TIMEOUT_MS = 15_000;

/** The payloads `session` emits in `dialect`, documented order, timestamps increasing by a millisecond each. */
export function sessionPayloads(
  session: SimulatedSession,
  script: SimulatedSessionScript,
  dialect: 'lifecycle' | 'platform',
  projectId: string,
  agentId: string,
): PathorsPayload[] {
  const endedAt = Date.parse(session.endedAt ?? session.updatedAt);
  const at = (offsetMs: number): string => new Date(endedAt + offsetMs).toISOString();
  const isCall = session.channel === 'call';
  if (dialect === 'platform') {
    const common = {
      id: session.sessionId,
      type: isCall ? ('VOICE' as const) : ('CHAT' as const),
      platform: isCall ? ('PHONE' as const) : ('WEB' as const),
      direction: session.phoneNumber ? ('OUTBOUND' as const) : ('INBOUND' as const),
      agentId,
      createdAt: session.createdAt,
      metadata: {
        ...(session.phoneNumber ? { customerPhoneNumber: session.phoneNumber } : {}),
        sessionVariables: session.variables,
      },
    };
    return [
      buildSessionCreated({ ...common, lastActivityAt: session.createdAt }),
      buildPlatformSessionEnded({ ...common, lastActivityAt: at(0), endedAt: at(0), updatedAt: at(0) }),
    ];
  }
  const base = { sessionId: session.sessionId };
  const outcome = {
    currentNodeId: script.currentNodeId ?? 'goodbye',
    messagesCount: session.messages.length,
    extractedVariables: script.extractedVariables ?? {},
  };
  const call = { callStatus: script.callStatus ?? 'userHangup', callDuration: script.callDuration ?? 60 };
  const payloads: PathorsPayload[] = [buildSessionEnded({ ...base, ...outcome, timestamp: at(0) })];
  if (isCall) payloads.push(buildCallEnded({ ...base, projectId, ...call, timestamp: at(1) }));
  payloads.push(
    isCall
      ? buildCallSessionFinalized({ ...base, projectId, ...outcome, ...call, timestamp: at(2) })
      : buildTextSessionFinalized({ ...base, projectId, ...outcome, timestamp: at(2) }),
  );
  if (isCall) {
    const failed = script.recording === 'failure';
    payloads.push(
      buildRecordingReady({
        ...base,
        timestamp: at(3),
        recordingUrl: failed
          ? undefined
          : `https://recordings.pathors.example/r/${session.sessionId}.mp3?sig=sim`,
        ...(failed ? { error: 'recording_failed' } : {}),
      }),
    );
  }
  return payloads;
}

/** The event name of a payload of either dialect. */
export function eventNameOf(payload: PathorsPayload): string {
  return String(payload.event ?? payload.eventType);
}

/** Puts `payloads` in the delivery order `order` asks for. */
export function orderPayloads(
  payloads: readonly PathorsPayload[],
  order: SimulatedDeliveryOptions['order'],
  seed: number,
): PathorsPayload[] {
  if (order === undefined || order === 'documented') return [...payloads];
  if (order === 'reversed') return [...payloads].reverse();
  if (order === 'shuffled') return shuffle(payloads, seed);
  const rank = (payload: PathorsPayload): number => {
    const index = order.indexOf(eventNameOf(payload));
    return index === -1 ? order.length : index;
  };
  return [...payloads].sort((a, b) => rank(a) - rank(b));
}

/** Fisher-Yates with a small seeded generator (mulberry32), so a failing order can be replayed. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

/**
 * POSTs one payload to `options.target` with the given headers (plus a Standard Webhooks signature when a signing
 * secret is given, re-signed per attempt with the same message id), retrying non-2xx answers and network errors
 * with exponential backoff up to `retry.maxAttempts`.
 */
export async function postWebhook(
  payload: PathorsPayload,
  options: SimulatedSingleDeliveryOptions & { readonly target: string },
  flags: { readonly duplicate?: boolean } = {},
): Promise<SimulatedDelivery> {
  const body = JSON.stringify(payload);
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 1);
  const baseDelayMs = options.retry?.baseDelayMs ?? 100;
  const messageId = options.messageId ?? `msg_${randomUUID()}`;
  const attempts: SimulatedDeliveryAttempt[] = [];
  let responseBody: string | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await sleep(baseDelayMs * 2 ** (attempt - 2));
    const signature = options.signingSecret
      ? standardWebhookHeaders(options.signingSecret, body, {
          id: messageId,
          prefix: options.signaturePrefix,
        })
      : {};
    try {
      const response = await fetch(options.target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers, ...signature },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      responseBody = await response.text();
      attempts.push({ status: response.status });
      if (response.ok) break;
    } catch (error) {
      attempts.push({ status: null, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const last = attempts[attempts.length - 1];
  return {
    event: eventNameOf(payload),
    dialect: 'eventType' in payload ? 'platform' : 'lifecycle',
    payload,
    duplicate: flags.duplicate === true,
    dropped: false,
    attempts,
    status: last.status,
    delivered: last.status !== null && last.status >= 200 && last.status < 300,
    responseBody,
  };
}

/** The record of a payload dropped on purpose. */
export function droppedDelivery(payload: PathorsPayload): SimulatedDelivery {
  return {
    event: eventNameOf(payload),
    dialect: 'eventType' in payload ? 'platform' : 'lifecycle',
    payload,
    duplicate: false,
    dropped: true,
    attempts: [],
    status: null,
    delivered: false,
  };
}
