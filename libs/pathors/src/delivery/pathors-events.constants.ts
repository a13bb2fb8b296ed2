import { PATHORS_EVENT_NAMES } from '../events/pathors-event.map.js';

// Built once: a name concatenated per request is a new string the emitter must hash and look up again every time.
const KNOWN_EMITTER_EVENTS = new Map<string, string>(
  PATHORS_EVENT_NAMES.map((name) => [name, `pathors:${name}`]),
);

/** Event-emitter name under which handlers of a Pathors event name listen. */
export const toEmitterEvent = (name: string): string => KNOWN_EMITTER_EVENTS.get(name) ?? `pathors:${name}`;

/** Event-emitter name of the catch-all handlers (`@OnPathorsEvent('*')`); free of wildcard segments on purpose. */
export const CATCH_ALL_EMITTER_EVENT = 'pathors:catch-all';

/** Metadata key under which `@OnPathorsEvent` records a method's handler id and event names. */
export const PATHORS_HANDLER_METADATA = 'nestjs-pathors:handler';

/** Execution-context type handlers run under; see {@link isPathorsContext}. */
export const PATHORS_CONTEXT_TYPE = 'pathors';
