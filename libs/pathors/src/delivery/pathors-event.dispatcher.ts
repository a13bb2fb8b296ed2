import { Injectable, Logger } from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, ExternalContextCreator } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { PathorsEvent } from '../events/pathors-event.map.js';
import type { UnknownPathorsEvent } from '../events/unknown-pathors.event.js';
import { DispatchedDelivery, type PathorsHandlerRunner } from './handler-invocation.js';
import type { PathorsDelivery } from './pathors-delivery.js';
import { CATCH_ALL_EMITTER_EVENT, PATHORS_CONTEXT_TYPE, toEmitterEvent } from './pathors-events.constants.js';
import { runSteps, step, type MaybePromise, type Steps } from './steps.util.js';

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

/** A handler method bound to its instance, called with the arguments the emitter passed. */
type ContextualHandler = (args: unknown[]) => unknown;

const hasEntries = (list: unknown): boolean => Array.isArray(list) && list.length > 0;

/**
 * Hands a validated event to its `@OnPathorsEvent` handlers through the app's event emitter, awaits every one of
 * them, and reports each outcome. A failing handler never stops the others and is never swallowed: it is logged
 * here and reported to the caller, which answers 500 so that the sender retries.
 */
@Injectable()
export class PathorsEventDispatcher {
  private readonly logger = new Logger('PathorsWebhook');
  private readonly contextualHandlers = new WeakMap<object, Map<string, ContextualHandler>>();

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly externalContextCreator: ExternalContextCreator,
    private readonly config: ApplicationConfig,
  ) {}

  /** Number of handlers that would receive an event of this name, catch-all handlers included. */
  handlerCount(name: string): number {
    return (
      this.emitter.listenerCount(toEmitterEvent(name)) + this.emitter.listenerCount(CATCH_ALL_EMITTER_EVENT)
    );
  }

  /**
   * Runs every handler of the event (those of its name, then the catch-all ones, concurrently) and reports each.
   * When every handler finished at once (none returned a promise, none was deferred by the emitter), the result is
   * returned at once too; otherwise a promise of it, settled when the last one finished.
   */
  dispatch(
    event: PathorsEvent | UnknownPathorsEvent,
    delivery: PathorsDelivery,
    options: PathorsDispatchOptions = {},
  ): MaybePromise<PathorsDispatchResult> {
    const outcomes: PathorsHandlerOutcome[] = [];
    // A handler's outcome is pushed when its run ends: while one runs on, fewer outcomes than handlers are in.
    const runner: PathorsHandlerRunner = (instance, method, methodName, handlerId, args) =>
      runSteps(this.runHandler(instance, method, methodName, handlerId, args, delivery, options, outcomes));
    // Per-dispatch view of the delivery: the runner travels with it, invisible to handlers.
    const handed = new DispatchedDelivery(delivery, runner);
    const handlers = this.handlerCount(delivery.eventName);
    const named = this.emitter.emitAsync(toEmitterEvent(delivery.eventName), event, handed);
    const all =
      this.emitter.listenerCount(CATCH_ALL_EMITTER_EVENT) === 0
        ? named
        : Promise.all([named, this.emitter.emitAsync(CATCH_ALL_EMITTER_EVENT, event, handed)]);
    // Every handler already reported: the emitter's promise can only resolve, there is nothing to wait for.
    if (outcomes.length === handlers) return { outcomes };
    return all.then(() => ({ outcomes }));
  }

  /** One handler's run for one dispatch: skipped, succeeded (its success recorded) or failed (logged). */
  private *runHandler(
    instance: object,
    method: (...args: unknown[]) => unknown,
    methodName: string,
    handlerId: string,
    args: unknown[],
    delivery: PathorsDelivery,
    options: PathorsDispatchOptions,
    outcomes: PathorsHandlerOutcome[],
  ): Steps<void> {
    if (options.skipHandlers?.has(handlerId)) {
      outcomes.push({ handlerId, status: 'skipped' });
      return;
    }
    try {
      yield* step(this.contextualHandler(instance, method, methodName)(args));
      if (options.onHandlerSucceeded) yield* step(options.onHandlerSucceeded(handlerId));
      outcomes.push({ handlerId, status: 'succeeded' });
    } catch (error) {
      outcomes.push({ handlerId, status: 'failed', error });
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.logger.error(
        `Handler ${handlerId} failed on ${delivery.eventName} (session ${delivery.sessionId ?? 'n/a'}): ${reason}`,
      );
    }
  }

  /**
   * The handler method wrapped in a `'pathors'` execution context: guards and interceptors of the handler (and the
   * app's global ones) apply and see `context.getType() === 'pathors'`. Exception filters do not: a filter must never
   * turn a failed handler into a success. A handler without any guard or interceptor is called directly (what the
   * context would do, without its layers), an Observable it returns awaited to its last value all the same.
   */
  private contextualHandler(instance: object, method: (...args: unknown[]) => unknown, methodName: string) {
    let byMethod = this.contextualHandlers.get(instance);
    if (!byMethod) this.contextualHandlers.set(instance, (byMethod = new Map()));
    let handler = byMethod.get(methodName);
    if (!handler) {
      // Enhancer metadata may sit on the original method or, when declared above @OnPathorsEvent, on its wrapper.
      const callback = function (this: unknown, ...args: unknown[]) {
        return method.apply(this, args);
      };
      // Interceptors and loggers read `context.getHandler().name`: keep the method's.
      Object.defineProperty(callback, 'name', { value: methodName });
      for (const source of [method, (instance as Record<string, unknown>)[methodName]]) {
        if (typeof source !== 'function') continue;
        for (const key of Reflect.getMetadataKeys(source)) {
          Reflect.defineMetadata(key, Reflect.getMetadata(key, source), callback);
        }
      }
      if (this.hasEnhancers(instance, callback)) {
        const withContext = this.externalContextCreator.create(
          instance,
          callback,
          methodName,
          undefined,
          undefined,
          undefined,
          undefined,
          { guards: true, interceptors: true, filters: false },
          PATHORS_CONTEXT_TYPE,
        );
        handler = (args) => withContext(...args);
      } else {
        handler = (args) => {
          const result = method.apply(instance, args);
          return isObservable(result) ? lastValueFrom(result) : result;
        };
      }
      byMethod.set(methodName, handler);
    }
    return handler;
  }

  /** Whether a guard or interceptor applies to the handler: its own, its class's, or the app's global ones. */
  private hasEnhancers(instance: object, callback: object): boolean {
    const config = this.config;
    return (
      [GUARDS_METADATA, INTERCEPTORS_METADATA].some(
        (key) =>
          hasEntries(Reflect.getMetadata(key, instance.constructor)) ||
          hasEntries(Reflect.getMetadata(key, callback)),
      ) ||
      hasEntries(config.getGlobalGuards()) ||
      hasEntries(config.getGlobalInterceptors()) ||
      hasEntries(config.getGlobalRequestGuards()) ||
      hasEntries(config.getGlobalRequestInterceptors())
    );
  }
}
