export { PathorsModule } from './pathors.module.js';
export type { PathorsModuleExtras } from './pathors.module-definition.js';
export type {
  PathorsDeliveryOptions,
  PathorsModuleOptions,
  PathorsOrderingOptions,
  PathorsRetryOptions,
  PathorsWebhookOptions,
  PathorsWebhookRegistrationOptions,
  PathorsWebhookRouteOptions,
} from './pathors.options.js';
export { PathorsConfigurationError } from './pathors.errors.js';

export {
  OnPathorsEvent,
  type OnPathorsEventOptions,
  type PathorsEventHandler,
} from './on-pathors-event.decorator.js';
export type { PathorsModuleAsyncOptions, PathorsModuleForRootOptions } from './pathors.module.js';
export { DEFAULT_PATHORS_REGISTRATION } from './pathors-registration.js';
export { PathorsPermanentError } from './pathors.errors.js';
export { PATHORS_HANDLER_FAILED, PathorsHandlerFailure } from './delivery/pathors-handler-failure.js';
export type { PathorsDeliveryOutcome } from './delivery/pathors-delivery.pipeline.js';
export { PathorsDelivery } from './delivery/pathors-delivery.js';
export { isPathorsContext } from './delivery/pathors-context.util.js';
export { PathorsIdempotencyStore, type PathorsClaim } from './delivery/pathors-idempotency.store.js';
export {
  MemoryIdempotencyStore,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type MemoryIdempotencyStoreOptions,
} from './delivery/memory-idempotency.store.js';
export { PathorsInbox, type PathorsInboxProcessor } from './delivery/pathors-inbox.js';
export {
  PathorsDeadLetterService,
  type PathorsDeadLetterQuery,
} from './delivery/pathors-dead-letter.service.js';
export {
  parseDeliveryRecordLine,
  toDeliveryRecordLine,
  type PathorsDeadLetter,
  type PathorsDeliveryRecord,
  type PathorsDeliveryRecordLine,
} from './delivery/pathors-delivery-record.js';

export * from './events/index.js';

export * from './api/index.js';
