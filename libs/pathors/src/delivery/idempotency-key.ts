import { createHash } from 'node:crypto';
import type { PathorsDialect } from '../events/pathors-event.map.js';
import { DEFAULT_PATHORS_REGISTRATION } from '../pathors-registration.js';

/**
 * The key that identifies one event across redeliveries: lifecycle `(sessionId, event)`, plus the outcome for
 * `recording.ready`; platform `(id, eventType)`, or the delivery's message id when a header carries one. An event
 * without identifying fields (an unknown name) is keyed by a hash of its payload. A named registration's keys start
 * with its name (`sales:lifecycle:…`), so two projects that reuse a session id never share a key.
 */
export function idempotencyKeyOf(
  dialect: PathorsDialect,
  name: string,
  payload: Readonly<Record<string, unknown>>,
  deliveryId: string | undefined,
  registration: string,
): string {
  const namespace = registration === DEFAULT_PATHORS_REGISTRATION ? '' : `${registration}:`;
  return namespace + eventKeyOf(dialect, name, payload, deliveryId);
}

function eventKeyOf(
  dialect: PathorsDialect,
  name: string,
  payload: Readonly<Record<string, unknown>>,
  deliveryId: string | undefined,
): string {
  if (dialect === 'platform') {
    if (deliveryId) return `platform:msg:${deliveryId}`;
    if (typeof payload.id === 'string') return `platform:${payload.id}:${name}`;
  } else if (typeof payload.sessionId === 'string') {
    const outcome = name === 'recording.ready' ? (payload.recordingUrl ? ':ready' : ':failed') : '';
    return `lifecycle:${payload.sessionId}:${name}${outcome}`;
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
