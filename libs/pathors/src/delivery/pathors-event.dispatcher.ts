import {
  Injectable,
  Logger,
  type InjectionToken,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, ContextIdFactory, ExternalContextCreator, ModuleRef } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { PathorsEvent } from '../events/pathors-event.map.js';
import type { UnknownPathorsEvent } from '../events/unknown-pathors.event.js';
import type { PathorsDelivery } from './pathors-delivery.js';
import { PathorsHandlerExplorer, type PathorsHandlerRegistration } from './pathors-handler.explorer.js';
import { CATCH_ALL_EMITTER_EVENT, PATHORS_CONTEXT_TYPE, toEmitterEvent } from './pathors-events.constants.js';
import { isThenable, type MaybePromise } from './maybe-promise.util.js';

/** How one handler fared with one event. */
export interface PathorsHandlerOutcome {
  /** `ClassName.methodName`. */
  readonly handlerId: string;
  /** `skipped` when the caller said the handler had already succeeded for this event. */
  readonly status: 'succeeded' | 'failed' | 'skipped';
  /** What the handler threw, when it failed. */
  readonly error?: unknown;
}

/** Every handler's outcome for one event. */
export interface PathorsDispatchResult {
  readonly outcomes: readonly PathorsHandlerOutcome[];
}

/** Options of one dispatch. */
export interface PathorsDispatchOptions {
  /** Handler ids that already succeeded for this event (a redelivery): they are not run again. */
  readonly skipHandlers?: ReadonlySet<string>;
  /**
   * Called after each handler succeeded, before its outcome counts as `succeeded` (writes its completion record).
   * When it throws, the handler is reported `failed`: without a record, a redelivery must be able to run it again.
   */
  readonly onHandlerSucceeded?: (handlerId: string) => MaybePromise<void>;
}

type EventListener = (event: unknown, delivery: unknown) => unknown;

/** A handler with what it reports, built once at boot: runs it for the dispatch in progress. */
interface SubscribedHandler {
  readonly handlerId: string;
  readonly succeeded: PathorsHandlerOutcome;
  readonly skipped: PathorsHandlerOutcome;
  /** Calls the handler (in its execution context); a promise while it runs on. */
  readonly invoke: (event: unknown, delivery: unknown) => unknown;
}

/** Shared by every dispatch with no outcome yet; never written to (see `DispatchRun.record`). */
const NO_OUTCOMES = Object.freeze([]) as unknown as PathorsHandlerOutcome[];

const hasEntries = (list: unknown): boolean => Array.isArray(list) && list.length > 0;

/**
 * One dispatch of one delivery: runs each handler the emitter calls, records its outcome, and collects the runs that
 * go on asynchronously. Failures are logged here and reported, never thrown.
 */
class DispatchRun implements PathorsDispatchResult {
  /** Sized by the outcomes it holds (most events have one handler), not by an empty array's default capacity. */
  outcomes: PathorsHandlerOutcome[] = NO_OUTCOMES;
  /** Runs still going when the emitter returned, if any. */
  pending?: Promise<void>[];

  constructor(
    readonly delivery: PathorsDelivery,
    private readonly options: PathorsDispatchOptions,
    private readonly logger: Logger,
  ) {}

  run(handler: SubscribedHandler, event: unknown): void {
    if (this.options.skipHandlers?.has(handler.handlerId)) {
      this.record(handler.skipped);
      return;
    }
    let result: unknown;
    try {
      result = handler.invoke(event, this.delivery);
    } catch (error) {
      this.fail(handler, error);
      return;
    }
    const done = isThenable(result)
      ? Promise.resolve(result).then(
          () => this.succeed(handler),
          (error: unknown) => this.fail(handler, error),
        )
      : this.succeed(handler);
    if (done instanceof Promise) (this.pending ??= []).push(done);
  }

  /** Records the handler's success (its completion record first, when asked for). */
  private succeed(handler: SubscribedHandler): MaybePromise<void> {
    const record = this.options.onHandlerSucceeded;
    let recorded: MaybePromise<void>;
    try {
      recorded = record?.(handler.handlerId);
    } catch (error) {
      this.fail(handler, error);
      return;
    }
    if (!isThenable(recorded)) {
      this.record(handler.succeeded);
      return;
    }
    return Promise.resolve(recorded).then(
      () => this.record(handler.succeeded),
      (error: unknown) => this.fail(handler, error),
    );
  }

  private record(outcome: PathorsHandlerOutcome): void {
    if (this.outcomes === NO_OUTCOMES) this.outcomes = [outcome];
    else this.outcomes.push(outcome);
  }

  private fail(handler: SubscribedHandler, error: unknown): void {
    this.record({ handlerId: handler.handlerId, status: 'failed', error });
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const { eventName, sessionId } = this.delivery;
    this.logger.error(
      `Handler ${handler.handlerId} failed on ${eventName} (session ${sessionId ?? 'n/a'}): ${reason}`,
    );
  }
}

/**
 * The dispatch the emitter is running listeners for right now. The emitter calls listeners synchronously, so this is
 * set around each `emit` (restored after it, for a handler that dispatches in turn); it is process-wide, so that any
 * dispatcher's emit reaches a handler whichever registration subscribed it.
 */
let currentRun: DispatchRun | undefined;

/**
 * Per emitter the app's handlers are subscribed on (by the first `PathorsModule` registration of an app, once), how
 * many listen to each emitter event name.
 */
const subscribedCounts = new WeakMap<EventEmitter2, Map<string, number>>();

/**
 * Hands a validated event to its `@OnPathorsEvent` handlers through the app's event emitter and reports each outcome.
 * At boot it subscribes every handler on the emitter (`pathors:<name>`, `pathors:catch-all`); a dispatch emits the
 * event, and each handler runs and reports for that dispatch. A failing handler never stops the others and is never
 * swallowed: it is logged and reported to the caller, which answers 500 so that the sender retries. Emitted by other
 * code, the same listeners simply call the handler.
 */
@Injectable()
export class PathorsEventDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PathorsWebhook');
  private readonly subscriptions: Array<readonly [string, EventListener]> = [];

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly externalContextCreator: ExternalContextCreator,
    private readonly config: ApplicationConfig,
    private readonly explorer: PathorsHandlerExplorer,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Subscribes every `@OnPathorsEvent()` handler of the app on the emitter. */
  onModuleInit(): void {
    if (subscribedCounts.has(this.emitter)) return;
    const counts = new Map<string, number>();
    subscribedCounts.set(this.emitter, counts);
    for (const registration of this.explorer.findHandlers()) {
      const handler = this.subscribedHandler(registration);
      const listener: EventListener = (event, delivery) => {
        const run = currentRun;
        if (run !== undefined && run.delivery === delivery) run.run(handler, event);
        // Emitted by other code: the method itself (on an instance of its own when request-scoped).
        else if (registration.requestScopedToken !== undefined) return handler.invoke(event, delivery);
        else return registration.method.call(registration.instance, event, delivery);
      };
      for (const name of registration.events) {
        const emitterEvent = name === '*' ? CATCH_ALL_EMITTER_EVENT : toEmitterEvent(name);
        this.emitter.on(emitterEvent, listener);
        this.subscriptions.push([emitterEvent, listener]);
        counts.set(emitterEvent, (counts.get(emitterEvent) ?? 0) + 1);
      }
    }
  }

  /** Unsubscribes the handlers, after the delivery pipeline drained. */
  onApplicationShutdown(): void {
    if (this.subscriptions.length === 0) return;
    for (const [emitterEvent, listener] of this.subscriptions) this.emitter.off(emitterEvent, listener);
    this.subscriptions.length = 0;
    subscribedCounts.delete(this.emitter);
  }

  /**
   * Number of `@OnPathorsEvent()` handlers that receive an event of this name, catch-all handlers included: each
   * reports an outcome in {@link dispatch}. Zero before boot and after shutdown.
   */
  handlerCount(name: string): number {
    const counts = subscribedCounts.get(this.emitter);
    if (counts === undefined) return 0;
    return (counts.get(toEmitterEvent(name)) ?? 0) + (counts.get(CATCH_ALL_EMITTER_EVENT) ?? 0);
  }

  /**
   * Runs every handler of the event (those of its name, then the catch-all ones, concurrently) and reports each.
   * When every handler finished at once (none returned a promise), the result is returned at once too; otherwise a
   * promise of it, settled when the last one finished.
   */
  dispatch(
    event: PathorsEvent | UnknownPathorsEvent,
    delivery: PathorsDelivery,
    options: PathorsDispatchOptions = {},
  ): MaybePromise<PathorsDispatchResult> {
    const run = new DispatchRun(delivery, options, this.logger);
    const outer = currentRun;
    currentRun = run;
    try {
      this.emitter.emit(toEmitterEvent(delivery.eventName), event, delivery);
      if (subscribedCounts.get(this.emitter)?.has(CATCH_ALL_EMITTER_EVENT))
        this.emitter.emit(CATCH_ALL_EMITTER_EVENT, event, delivery);
    } finally {
      currentRun = outer;
    }
    const { pending } = run;
    return pending === undefined ? run : Promise.all(pending).then(() => run);
  }

  private subscribedHandler(registration: PathorsHandlerRegistration): SubscribedHandler {
    const { handlerId, requestScopedToken } = registration;
    let contextual: SubscribedHandler['invoke'] | undefined;
    // Built on first use: the app's global enhancers are all known by the first event.
    const invoke: SubscribedHandler['invoke'] =
      requestScopedToken === undefined
        ? (event, delivery) =>
            (contextual ??= this.contextualHandler(registration.instance, registration))(event, delivery)
        : (event, delivery) => this.invokeRequestScoped(requestScopedToken, registration, [event, delivery]);
    return {
      handlerId,
      succeeded: { handlerId, status: 'succeeded' },
      skipped: { handlerId, status: 'skipped' },
      invoke,
    };
  }

  /**
   * A request-scoped handler runs on an instance of its own per event, as `@nestjs/event-emitter` makes it: the
   * `REQUEST` it can inject is `[event, delivery]`.
   */
  private async invokeRequestScoped(
    token: InjectionToken,
    registration: PathorsHandlerRegistration,
    args: [unknown, unknown],
  ): Promise<unknown> {
    const contextId = ContextIdFactory.create();
    this.moduleRef.registerRequestByContextId(args, contextId);
    const instance = await this.moduleRef.resolve<object>(token, contextId, { strict: false });
    return this.contextualHandler(instance, registration)(...args);
  }

  /**
   * The handler method called in a `'pathors'` execution context: guards and interceptors of the handler (and the
   * app's global ones) apply and see `context.getType() === 'pathors'`. Exception filters do not: a filter must never
   * turn a failed handler into a success. A handler without any guard or interceptor is called directly (what the
   * context would do, without its layers), an Observable it returns awaited to its last value all the same.
   */
  private contextualHandler(
    instance: object,
    { method, methodName }: PathorsHandlerRegistration,
  ): SubscribedHandler['invoke'] {
    if (this.hasEnhancers(instance, method)) {
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
      return (event, delivery) => withContext(event, delivery);
    }
    return (event, delivery) => {
      const result = method.call(instance, event, delivery);
      return isObservable(result) ? lastValueFrom(result) : result;
    };
  }

  /** Whether a guard or interceptor applies to the handler: its own, its class's, or the app's global ones. */
  private hasEnhancers(instance: object, method: object): boolean {
    const config = this.config;
    return (
      [GUARDS_METADATA, INTERCEPTORS_METADATA].some(
        (key) =>
          hasEntries(Reflect.getMetadata(key, instance.constructor)) ||
          hasEntries(Reflect.getMetadata(key, method)),
      ) ||
      hasEntries(config.getGlobalGuards()) ||
      hasEntries(config.getGlobalInterceptors()) ||
      hasEntries(config.getGlobalRequestGuards()) ||
      hasEntries(config.getGlobalRequestInterceptors())
    );
  }
}
