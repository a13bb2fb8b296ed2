export { PathorsModule } from './pathors.module.js';
export type { PathorsModuleExtras } from './pathors.module-definition.js';
export type { PathorsModuleOptions, PathorsWebhookOptions } from './pathors.options.js';
export { PathorsConfigurationError } from './pathors.errors.js';

export { OnPathorsEvent, type PathorsEventHandler } from './delivery/on-pathors-event.decorator.js';
export { PathorsDelivery } from './delivery/pathors-delivery.js';
export { isPathorsContext } from './delivery/pathors-context.util.js';

export * from './events/index.js';

export { PathorsSessionService } from './api/pathors-session.service.js';
