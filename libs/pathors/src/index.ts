export { PathorsModule } from './pathors.module.js';
export type { PathorsModuleExtras } from './pathors.module-definition.js';
export type {
  PathorsModuleOptions,
  PathorsRetryOptions,
  PathorsWebhookOptions,
  PathorsWebhookRegistrationOptions,
} from './pathors.options.js';
export { PathorsConfigurationError } from './pathors.errors.js';

export { OnPathorsEvent, type PathorsEventHandler } from './delivery/on-pathors-event.decorator.js';
export { PathorsDelivery } from './delivery/pathors-delivery.js';
export { isPathorsContext } from './delivery/pathors-context.util.js';

export * from './events/index.js';

export * from './api/index.js';
