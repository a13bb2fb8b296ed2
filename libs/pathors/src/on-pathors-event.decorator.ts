import type { PathorsEventFor, PathorsEventName } from './events/pathors-event.map.js';
import type { PathorsDelivery } from './delivery/pathors-delivery.js';
import { PATHORS_HANDLER_METADATA } from './delivery/pathors-events.constants.js';

/** The signature a handler of `N` must accept: the event of that name, then (optionally) its delivery. */
export type PathorsEventHandler<N extends PathorsEventName | '*'> = (
  event: PathorsEventFor<N>,
  delivery: PathorsDelivery,
) => unknown;

/** Options of {@link OnPathorsEvent}. */
export interface OnPathorsEventOptions {
  /**
   * Only events received by the `PathorsModule` registration of this name (`forRoot({ name })`); `'default'` is the
   * unnamed one. Without it, the handler hears every registration: read `delivery.registration` to tell them apart.
   */
  readonly registration?: string;
}

/** What `@OnPathorsEvent` records on a handler method. */
export interface PathorsHandlerMetadata {
  /** The event names it listens to, each once (`'*'` for catch-all). */
  readonly events: readonly string[];
  /** The registration it is limited to, if any. */
  readonly registration?: string;
}

/**
 * Runs the decorated provider method for every validated Pathors event of the given name(s), after the webhook
 * authenticated and validated it. The parameter type follows the name: `@OnPathorsEvent('call.ended')` on a method
 * taking another event class does not compile. `'*'` receives every event, including names this version does not
 * know. The webhook answers 2xx only when every handler succeeded; a throwing handler makes it answer 500 (so
 * Pathors retries) and does not stop the other handlers; throw a `PathorsPermanentError` for an event that can never
 * succeed. Stacked decorators, or a name listed beside `'*'`, still run the method once per event.
 *
 * The module subscribes it on the app's `EventEmitter2` (`pathors:<name>`, `pathors:catch-all` for `'*'`) at boot,
 * request-scoped providers included (a fresh instance per event): import `EventEmitterModule.forRoot()` in your app.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class CallOutcomes {
 *   @OnPathorsEvent('call.ended')
 *   async record(event: CallEndedEvent) {
 *     await this.calls.save(event.sessionId, event.callStatus, event.callDuration);
 *   }
 *
 *   @OnPathorsEvent('call.ended', { registration: 'sales' })
 *   async notifySales(event: CallEndedEvent) {}
 * }
 * ```
 */
export function OnPathorsEvent<N extends PathorsEventName | '*'>(
  events: N | readonly N[],
  options: OnPathorsEventOptions = {},
): <M extends PathorsEventHandler<N>>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => TypedPropertyDescriptor<M> {
  const names: readonly string[] = Array.isArray(events) ? events : [events as string];
  if (names.length === 0) throw new TypeError('@OnPathorsEvent() needs at least one event name');
  const { registration } = options;
  if (registration !== undefined && (typeof registration !== 'string' || registration.trim() === '')) {
    throw new TypeError('@OnPathorsEvent() option "registration" must be a non-empty string');
  }

  return (target, propertyKey, descriptor) => {
    const method: unknown = descriptor.value;
    if (typeof method !== 'function') {
      throw new TypeError(`@OnPathorsEvent() decorates methods only (${String(propertyKey)})`);
    }
    // Stacked decorators add their names to one handler: it runs once per event, whichever names matched.
    const stacked = Reflect.getMetadata(PATHORS_HANDLER_METADATA, method) as
      PathorsHandlerMetadata | undefined;
    if (stacked !== undefined && stacked.registration !== registration) {
      throw new TypeError(
        `@OnPathorsEvent() stacked on ${String(propertyKey)} with different "registration" options: ` +
          'write one method per registration',
      );
    }
    // The method stays as written (user code may call it directly); the module finds it by this metadata and
    // subscribes it on the app's event emitter at boot.
    const metadata: PathorsHandlerMetadata = {
      events: [...new Set([...(stacked?.events ?? []), ...names])],
      registration,
    };
    Reflect.defineMetadata(PATHORS_HANDLER_METADATA, metadata, method);
    return descriptor;
  };
}
