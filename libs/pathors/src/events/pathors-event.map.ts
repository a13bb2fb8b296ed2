import { CallEndedEvent } from './lifecycle/call-ended.event.js';
import { RecordingReadyEvent } from './lifecycle/recording-ready.event.js';
import { SessionEndedEvent } from './lifecycle/session-ended.event.js';
import { SessionFinalizedEvent } from './lifecycle/session-finalized.event.js';
import { SessionStartedEvent } from './lifecycle/session-started.event.js';
import {
  KnowledgeStoreUpdatedEvent,
  MessageAddedEvent,
  SessionUpdatedEvent,
  SubscriptionUpdatedEvent,
  UsageUpdatedEvent,
} from './platform/planned.events.js';
import { PlatformSessionEndedEvent } from './platform/platform-session-ended.event.js';
import { SessionCreatedEvent } from './platform/session-created.event.js';
import type { UnknownPathorsEvent } from './unknown-pathors.event.js';

/**
 * The two webhook dialects Pathors speaks: `lifecycle` (discriminator `event`: session.ended, call.ended,
 * session.finalized, recording.ready) and `platform` (discriminator `eventType`, Standard Webhooks signed).
 */
export type PathorsDialect = 'lifecycle' | 'platform';

/**
 * Event name → the class a handler of that name receives. `session.ended` exists in both dialects, so its handlers
 * receive a union; narrow it with `'eventType' in event` (platform) or `'event' in event` (lifecycle).
 */
export interface PathorsEventMap {
  'session.ended': SessionEndedEvent | PlatformSessionEndedEvent;
  'call.ended': CallEndedEvent;
  'session.finalized': SessionFinalizedEvent;
  'recording.ready': RecordingReadyEvent;
  'session.started': SessionStartedEvent;
  'session.created': SessionCreatedEvent;
  'session.updated': SessionUpdatedEvent;
  'message.added': MessageAddedEvent;
  'usage.updated': UsageUpdatedEvent;
  'subscription.updated': SubscriptionUpdatedEvent;
  'knowledge_store.updated': KnowledgeStoreUpdatedEvent;
}

/** Every event name the module knows, in both dialects. */
export type PathorsEventName = keyof PathorsEventMap;

/** Any known Pathors event instance. */
export type PathorsEvent = PathorsEventMap[PathorsEventName];

/** What a handler of `name` receives; `'*'` (catch-all) receives every event, known or not. */
export type PathorsEventFor<N extends PathorsEventName | '*'> = N extends PathorsEventName
  ? PathorsEventMap[N]
  : PathorsEvent | UnknownPathorsEvent;

/** A concrete event class. */
export type PathorsEventClass = new () => PathorsEvent;

/** Runtime registry: dialect → event name → class. */
export const PATHORS_EVENT_CLASSES: Readonly<Record<PathorsDialect, ReadonlyMap<string, PathorsEventClass>>> =
  {
    lifecycle: new Map<string, PathorsEventClass>([
      ['session.ended', SessionEndedEvent],
      ['call.ended', CallEndedEvent],
      ['session.finalized', SessionFinalizedEvent],
      ['recording.ready', RecordingReadyEvent],
      ['session.started', SessionStartedEvent],
    ]),
    platform: new Map<string, PathorsEventClass>([
      ['session.created', SessionCreatedEvent],
      ['session.ended', PlatformSessionEndedEvent],
      ['session.updated', SessionUpdatedEvent],
      ['message.added', MessageAddedEvent],
      ['usage.updated', UsageUpdatedEvent],
      ['subscription.updated', SubscriptionUpdatedEvent],
      ['knowledge_store.updated', KnowledgeStoreUpdatedEvent],
    ]),
  };

/** Every known event name, in both dialects. */
export const PATHORS_EVENT_NAMES: readonly PathorsEventName[] = [
  ...new Set([...PATHORS_EVENT_CLASSES.lifecycle.keys(), ...PATHORS_EVENT_CLASSES.platform.keys()]),
] as PathorsEventName[];
