import { OnEvent } from '@nestjs/event-emitter';
import type { PathorsEventFor, PathorsEventName } from '../events/pathors-event.map.js';
import { DispatchedDelivery } from './handler-invocation.js';
import type { PathorsDelivery } from './pathors-delivery.js';
import {
  CATCH_ALL_EMITTER_EVENT,
  PATHORS_HANDLER_METADATA,
  toEmitterEvent,
} from './pathors-events.constants.js';

/** The signature a handler of `N` must accept: the event of that name, then (optionally) its delivery. */
export type PathorsEventHandler<N extends PathorsEventName | '*'> = (
  event: PathorsEventFor<N>,
  delivery: PathorsDelivery,
) => unknown;

/** What `@OnPathorsEvent` records on a handler method. */
export interface PathorsHandlerMetadata {
  /** `ClassName.methodName`: names the handler in logs and completion records. */
  readonly handlerId: string;
  /** The event names it listens to (`'*'` for catch-all). */
  readonly events: readonly string[];
}

/**
 * Runs the decorated provider method for every validated Pathors event of the given name(s), after the webhook
 * authenticated and validated it. The parameter type follows the name: `@OnPathorsEvent('call.ended')` on a method
 * taking another event class does not compile. `'*'` receives every event, including names this version does not
 * know. The webhook answers 2xx only when every handler succeeded; a throwing handler makes it answer 500 (so
 * Pathors retries) and does not stop the other handlers.
 *
 * Composes `@OnEvent` from `@nestjs/event-emitter`: import `EventEmitterModule.forRoot()` in your app.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class CallOutcomes {
 *   @OnPathorsEvent('call.ended')
 *   async record(event: CallEndedEvent) {
 *     await this.calls.save(event.sessionId, event.callStatus, event.callDuration);
 *   }
 * }
 * ```
 */
export function OnPathorsEvent<N extends PathorsEventName | '*'>(
  events: N | readonly N[],
): <M extends PathorsEventHandler<N>>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => TypedPropertyDescriptor<M> {
  const names: readonly string[] = Array.isArray(events) ? events : [events as string];
  if (names.length === 0) throw new TypeError('@OnPathorsEvent() needs at least one event name');

  return (target, propertyKey, descriptor) => {
    const original = descriptor.value as unknown as (...args: unknown[]) => unknown;
    if (typeof original !== 'function') {
      throw new TypeError(`@OnPathorsEvent() decorates methods only (${String(propertyKey)})`);
    }
    const methodName = String(propertyKey);
    const handlerId = `${target.constructor.name}.${methodName}`;

    // Called by the dispatcher, the handler reports its outcome per handler id (completion records, error policy,
    // execution context); called directly by user code, it is the plain method.
    const handler = function (this: object, ...args: unknown[]): unknown {
      const runner = DispatchedDelivery.runnerOf(args[1]);
      return runner ? runner(this, original, methodName, handlerId, args) : original.apply(this, args);
    };
    Object.defineProperty(handler, 'name', { value: original.name });
    for (const key of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, original), handler);
    }
    descriptor.value = handler as unknown as typeof descriptor.value;

    const metadata: PathorsHandlerMetadata = { handlerId, events: names };
    Reflect.defineMetadata(PATHORS_HANDLER_METADATA, metadata, handler);
    // One @OnEvent per name: to EventEmitter2 an array is one namespaced event, not several.
    for (const name of names) {
      const emitterEvent = name === '*' ? CATCH_ALL_EMITTER_EVENT : toEmitterEvent(name);
      OnEvent(emitterEvent, { suppressErrors: false })(target, propertyKey, descriptor);
    }
    return descriptor;
  };
}
