/** Event-emitter name under which handlers of a Pathors event name listen. */
export const toEmitterEvent = (name: string): string => `pathors:${name}`;

/** Event-emitter name of the catch-all handlers (`@OnPathorsEvent('*')`); free of wildcard segments on purpose. */
export const CATCH_ALL_EMITTER_EVENT = 'pathors:catch-all';

/** Metadata key under which `@OnPathorsEvent` records a method's handler id and event names. */
export const PATHORS_HANDLER_METADATA = 'nestjs-pathors:handler';

/** Execution-context type handlers run under; see {@link isPathorsContext}. */
export const PATHORS_CONTEXT_TYPE = 'pathors';
