import { createHash } from 'node:crypto';
import type { PathorsDialect } from '../events/pathors-event.map.js';

/**
 * The key that identifies one event across redeliveries: lifecycle `(sessionId, event)`, plus the
 * outcome for `recording.ready`; platform `(id, eventType)`, or the delivery's message id when a header carries one.
 * An event without identifying fields (an unknown name) is keyed by a hash of its payload.
 */
export function idempotencyKeyOf(
  dialect: PathorsDialect,
  name: string,
  payload: Readonly<Record<string, unknown>>,
  deliveryId: string | undefined,
): string {
  // Joined rather than concatenated: the key is kept by the in-memory store, and a join makes one flat string where
  // concatenation makes a chain of string parts that hashing the key would flatten into a second copy.
  if (dialect === 'platform') {
    if (deliveryId) return ['platform:msg:', deliveryId].join('');
    if (typeof payload.id === 'string') return ['platform:', payload.id, ':', name].join('');
  } else if (typeof payload.sessionId === 'string') {
    const outcome = name === 'recording.ready' ? (payload.recordingUrl ? ':ready' : ':failed') : '';
    return ['lifecycle:', payload.sessionId, ':', name, outcome].join('');
  }
  return `${dialect}:sha256:${createHash('sha256').update(JSON.stringify(payload)).digest('hex')}`;
}

/** The session an event is about, when it has one. */
export function sessionIdOf(
  dialect: PathorsDialect,
  name: string,
  payload: Readonly<Record<string, unknown>>,
) {
  if (typeof payload.sessionId === 'string') return payload.sessionId;
  if (dialect === 'platform' && name.startsWith('session.') && typeof payload.id === 'string')
    return payload.id;
  return undefined;
}
