export { PathorsLifecycleEvent } from './lifecycle/pathors-lifecycle.event.js';
export {
  PATHORS_CALL_STATUSES,
  type PathorsCallStatus,
  type PathorsCallStatusValue,
} from './lifecycle/call-status.js';
export { SessionEndedEvent } from './lifecycle/session-ended.event.js';
export { CallEndedEvent } from './lifecycle/call-ended.event.js';
export {
  SessionFinalizedEvent,
  type CallSessionFinalizedEvent,
} from './lifecycle/session-finalized.event.js';
export { RecordingReadyEvent } from './lifecycle/recording-ready.event.js';
export { SessionStartedEvent } from './lifecycle/session-started.event.js';

export { PathorsPlatformEvent } from './platform/pathors-platform.event.js';
export { PathorsPlatformSessionEvent } from './platform/pathors-platform-session.event.js';
export * from './platform/platform-enums.js';
export { PathorsSessionMetadata } from './platform/session-metadata.js';
export * from './platform/session-analysis.js';
export { SessionCreatedEvent } from './platform/session-created.event.js';
export { PlatformSessionEndedEvent } from './platform/platform-session-ended.event.js';
export * from './platform/planned.events.js';

export { UnknownPathorsEvent } from './unknown-pathors.event.js';
export { isKnownPathorsValue, type PathorsUnknownValue, type PathorsValue } from './pathors-value.js';
export {
  PATHORS_EVENT_NAMES,
  type PathorsDialect,
  type PathorsEvent,
  type PathorsEventFor,
  type PathorsEventMap,
  type PathorsEventName,
} from './pathors-event.map.js';
