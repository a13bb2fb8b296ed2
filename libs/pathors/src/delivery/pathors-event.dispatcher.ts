import {
  Injectable,
  Logger,
  type InjectionToken,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ContextIdFactory, ExternalContextCreator, ModuleRef } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { PathorsEvent } from '../events/pathors-event.map.js';
import type { UnknownPathorsEvent } from '../events/unknown-pathors.event.js';
import { listNames, registeredNames } from '../pathors-registration.js';
import { PathorsConfigurationError, PathorsPermanentError } from '../pathors.errors.js';
import { PathorsTelemetry } from '../telemetry/pathors-telemetry.js';
import { logFieldsOf } from './delivery-log-fields.js';
import { reasonOf } from './failure-reason.util.js';
import type { PathorsDelivery } from './pathors-delivery.js';
import { PATHORS_HANDLER_FAILED, PathorsHandlerFailure } from './pathors-handler-failure.js';
import { hears, PathorsHandlerExplorer, type PathorsDiscoveredHandler } from './pathors-handler.explorer.js';
import { CATCH_ALL_EMITTER_EVENT, PATHORS_CONTEXT_TYPE, toEmitterEvent } from './pathors-events.constants.js';

/** How one handler fared with one event. */
export interface PathorsHandlerOutcome {
  /** `ClassName.methodName`. */
  readonly handlerId: string;
  /**
   * `skipped` when the caller said the handler had already succeeded for this event; `unrecorded` when it succeeded
   * but `onHandlerSucceeded` rejected (its success could not be recorded, so a redelivery runs it again).
   */
  readonly status: 'succeeded' | 'failed' | 'skipped' | 'unrecorded';
  /** What the handler threw, when it failed, or what `onHandlerSucceeded` threw, when it is unrecorded. */
  readonly error?: unknown;
  /** The handler failed with a `PathorsPermanentError`: retrying cannot help. */
  readonly permanent?: boolean;
}

/** Options of one dispatch. */
export interface PathorsDispatchOptions {
  /** Handler ids that already succeeded for this event (a redelivery): they are not run again. */
  readonly skipHandlers?: ReadonlySet<string>;
  /**
   * Called after each handler succeeded, before its outcome counts as `succeeded` (writes its completion record).
   * When it rejects, the handler is reported `unrecorded`: without a record, a redelivery must be able to run it again.
   */
  readonly onHandlerSucceeded?: (handlerId: string) => Promise<void>;
  /** Called as soon as a handler failed, before the others finished. */
  readonly onHandlerFailed?: (handlerId: string) => void;
}

/** A handler as the module put it on the emitter. */
interface EmitterHandler {
  readonly handler: PathorsDiscoveredHandler;
  /** Calls the handler in its execution context. */
  readonly invoke: (event: unknown, delivery: PathorsDelivery) => Promise<unknown>;
}

/**
 * One dispatch of one delivery, passed to the module's listeners as the emit's third argument: each listener runs its
 * handler for it and records the outcome. Emitted by other code (no dispatch argument), a listener just calls its
 * handler.
 */
class PathorsDispatch {
  readonly outcomes: PathorsHandlerOutcome[] = [];
  private readonly running: Promise<void>[] = [];

  constructor(
    readonly registration: string,
    readonly delivery: PathorsDelivery,
    private readonly options: PathorsDispatchOptions,
    private readonly reportFailure: (handlerId: string, delivery: PathorsDelivery, error: unknown) => void,
    private readonly telemetry: PathorsTelemetry,
  ) {}

  run({ handler, invoke }: EmitterHandler, event: unknown): void {
    if (hears(handler, this.registration)) this.running.push(this.runOne(handler.handlerId, invoke, event));
  }

  async settled(): Promise<readonly PathorsHandlerOutcome[]> {
    await Promise.all(this.running);
    return this.outcomes;
  }

  private async runOne(handlerId: string, invoke: EmitterHandler['invoke'], event: unknown): Promise<void> {
    if (this.options.skipHandlers?.has(handlerId)) {
      this.outcomes.push({ handlerId, status: 'skipped' });
      return;
    }
    try {
      await this.telemetry.handler(handlerId, this.delivery, () => invoke(event, this.delivery));
    } catch (error) {
      const permanent = error instanceof PathorsPermanentError;
      this.outcomes.push({ handlerId, status: 'failed', error, permanent });
      this.reportFailure(handlerId, this.delivery, error);
      if (!permanent) this.options.onHandlerFailed?.(handlerId);
      return;
    }
    try {
      await this.options.onHandlerSucceeded?.(handlerId);
      this.outcomes.push({ handlerId, status: 'succeeded' });
    } catch (error) {
      // The store failed, not the handler: the caller reports it.
      this.outcomes.push({ handlerId, status: 'unrecorded', error });
    }
  }
}

/** The app's handlers on one emitter (put there once per app, by its first `PathorsModule` registration). */
interface AppHandlers {
  readonly owner: PathorsEventDispatcher;
  /** Emitter event name → the handlers listening to it. */
  readonly byEvent: Map<string, EmitterHandler[]>;
  readonly listeners: Array<readonly [string, (...args: unknown[]) => unknown]>;
}

const handlersOn = new WeakMap<EventEmitter2, AppHandlers>();

/**
 * Hands a validated event to its `@OnPathorsEvent` handlers through the app's event emitter and reports each outcome.
 * At boot it subscribes every handler on the emitter (`pathors:<name>`, `pathors:catch-all`); a dispatch emits the
 * event with itself as third argument, and each handler of this registration runs and reports. A failing handler never
 * stops the others and is never swallowed: it is logged, emitted as a {@link PathorsHandlerFailure} and reported to the
 * caller, which answers 500 so that the sender retries.
 */
@Injectable()
export class PathorsEventDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PathorsEventDispatcher.name);

  constructor(
    /** The `PathorsModule` registration this dispatcher serves. */
    private readonly registration: string,
    private readonly emitter: EventEmitter2,
    private readonly externalContextCreator: ExternalContextCreator,
    private readonly explorer: PathorsHandlerExplorer,
    private readonly moduleRef: ModuleRef,
    private readonly telemetry: PathorsTelemetry,
  ) {}

  /**
   * Subscribes every `@OnPathorsEvent()` handler of the app on the emitter, once per app. Fails the boot when a
   * handler is limited to a registration the app does not have.
   */
  onModuleInit(): void {
    if (handlersOn.has(this.emitter)) return;
    const handlers = this.explorer.findHandlers();
    const names = registeredNames(this.moduleRef);
    for (const { handlerId, registration } of handlers) {
      if (registration !== undefined && !names.includes(registration)) {
        throw new PathorsConfigurationError(
          `${handlerId} is limited to the PathorsModule registration "${registration}", which this app does not ` +
            `have. Registered: ${listNames(names)}.`,
        );
      }
    }
    const byId = new Map<string, PathorsDiscoveredHandler>();
    for (const handler of handlers) {
      const other = byId.get(handler.handlerId);
      if (other !== undefined) {
        // Completion records are kept per handler id: two handlers sharing one would count as one.
        throw new PathorsConfigurationError(
          `Two @OnPathorsEvent() handlers are both named ${handler.handlerId} (in ${other.moduleName} and in ` +
            `${handler.moduleName}): rename the class or the method, or provide the class in one module only.`,
        );
      }
      byId.set(handler.handlerId, handler);
    }
    const appHandlers: AppHandlers = { owner: this, byEvent: new Map(), listeners: [] };
    handlersOn.set(this.emitter, appHandlers);
    for (const handler of handlers) {
      const entry: EmitterHandler = { handler, invoke: this.invokerOf(handler) };
      const listener = (event: unknown, delivery: unknown, dispatch?: unknown) => {
        if (dispatch instanceof PathorsDispatch) return dispatch.run(entry, event);
        return entry.invoke(event, delivery as PathorsDelivery);
      };
      // A catch-all handler hears every name already: subscribed by its names too, it would run twice.
      const emitterEvents = handler.events.includes('*')
        ? [CATCH_ALL_EMITTER_EVENT]
        : handler.events.map(toEmitterEvent);
      for (const emitterEvent of emitterEvents) {
        this.emitter.on(emitterEvent, listener);
        appHandlers.listeners.push([emitterEvent, listener]);
        appHandlers.byEvent.set(emitterEvent, [...(appHandlers.byEvent.get(emitterEvent) ?? []), entry]);
      }
    }
  }

  /** Unsubscribes the handlers, after the delivery pipelines drained. */
  onApplicationShutdown(): void {
    const appHandlers = handlersOn.get(this.emitter);
    if (appHandlers?.owner !== this) return;
    for (const [emitterEvent, listener] of appHandlers.listeners) this.emitter.off(emitterEvent, listener);
    handlersOn.delete(this.emitter);
  }

  /**
   * Number of `@OnPathorsEvent()` handlers of this registration that receive an event of this name, catch-all
   * handlers included: each reports an outcome in {@link dispatch}. Zero before boot and after shutdown.
   */
  handlerCount(name: string): number {
    const byEvent = handlersOn.get(this.emitter)?.byEvent;
    if (byEvent === undefined) return 0;
    const count = (emitterEvent: string) =>
      (byEvent.get(emitterEvent) ?? []).filter((entry) => hears(entry.handler, this.registration)).length;
    return count(toEmitterEvent(name)) + count(CATCH_ALL_EMITTER_EVENT);
  }

  /**
   * Runs every handler of the event for this registration (those of its name and the catch-all ones, concurrently)
   * and resolves each one's outcome once the last finished. Never rejects.
   */
  async dispatch(
    event: PathorsEvent | UnknownPathorsEvent,
    delivery: PathorsDelivery,
    options: PathorsDispatchOptions = {},
  ): Promise<readonly PathorsHandlerOutcome[]> {
    const dispatch = new PathorsDispatch(
      this.registration,
      delivery,
      options,
      (handlerId, failed, error) => this.reportFailure(handlerId, failed, error),
      this.telemetry,
    );
    try {
      this.emitter.emit(toEmitterEvent(delivery.eventName), event, delivery, dispatch);
      this.emitter.emit(CATCH_ALL_EMITTER_EVENT, event, delivery, dispatch);
    } catch (error) {
      // Another listener on the same emitter name threw: the handlers it kept from running report no outcome, so
      // the caller does not mark the event done.
      this.logger.error(
        `A listener of ${delivery.eventName} (${delivery.idempotencyKey}) threw during dispatch: ${reasonOf(error)}`,
        logFieldsOf(delivery),
      );
    }
    return dispatch.settled();
  }

  private reportFailure(handlerId: string, delivery: PathorsDelivery, error: unknown): void {
    const permanent = error instanceof PathorsPermanentError;
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.logger.error(
      `Handler ${handlerId} failed${permanent ? ' permanently' : ''} on ${delivery.eventName} ` +
        `(${delivery.idempotencyKey}, session ${delivery.sessionId ?? 'n/a'}, registration ${delivery.registration}): ` +
        reason,
      { ...logFieldsOf(delivery), handlerId },
    );
    const failure = new PathorsHandlerFailure({
      handlerId,
      eventName: delivery.eventName,
      registration: delivery.registration,
      idempotencyKey: delivery.idempotencyKey,
      sessionId: delivery.sessionId,
      deliveryId: delivery.deliveryId,
      error,
      permanent,
    });
    try {
      this.emitter.emit(PATHORS_HANDLER_FAILED, failure);
    } catch (listenerError) {
      this.logger.error(`A listener of ${PATHORS_HANDLER_FAILED} threw: ${reasonOf(listenerError)}`);
    }
  }

  /** How the handler is called: on its instance, or on an instance of its own per event when request-scoped. */
  private invokerOf(handler: PathorsDiscoveredHandler): EmitterHandler['invoke'] {
    const { requestScopedToken } = handler;
    if (requestScopedToken !== undefined) {
      return (event, delivery) => this.invokeRequestScoped(requestScopedToken, handler, [event, delivery]);
    }
    let contextual: EmitterHandler['invoke'] | undefined;
    // Built on first use: the app's global enhancers are all known by the first event.
    return (event, delivery) =>
      (contextual ??= this.contextualHandler(handler.instance, handler))(event, delivery);
  }

  /**
   * A request-scoped handler runs on an instance of its own per event, as `@nestjs/event-emitter` makes it: the
   * `REQUEST` it can inject is `[event, delivery]`.
   */
  private async invokeRequestScoped(
    token: InjectionToken,
    handler: PathorsDiscoveredHandler,
    args: [unknown, PathorsDelivery],
  ): Promise<unknown> {
    const contextId = ContextIdFactory.create();
    this.moduleRef.registerRequestByContextId(args, contextId);
    const instance = await this.moduleRef.resolve<object>(token, contextId, { strict: false });
    return this.contextualHandler(instance, handler)(...args);
  }

  /**
   * The handler method called in a `'pathors'` execution context: guards and interceptors of the handler (and the
   * app's global ones) apply and see `context.getType() === 'pathors'`; an Observable it returns is awaited to its last
   * value. Exception filters do not apply: a filter must never turn a failed handler into a success.
   */
  private contextualHandler(
    instance: object,
    { method, methodName }: PathorsDiscoveredHandler,
  ): EmitterHandler['invoke'] {
    const withContext = this.externalContextCreator.create(
      instance,
      method,
      methodName,
      undefined,
      undefined,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: false },
      PATHORS_CONTEXT_TYPE,
    );
    return async (event, delivery) => withContext(event, delivery);
  }
}
