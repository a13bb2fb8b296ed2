import type { Logger } from '@nestjs/common';
import type { PathorsEvent } from '../events/pathors-event.map.js';
import type { UnknownPathorsEvent } from '../events/unknown-pathors.event.js';
import type { PathorsDelivery } from './pathors-delivery.js';
import type { PathorsDeliveryOutcome } from './pathors-delivery.pipeline.js';
import type {
  PathorsDispatchResult,
  PathorsEventDispatcher,
  PathorsHandlerOutcome,
} from './pathors-event.dispatcher.js';
import type { PathorsClaim, PathorsIdempotencyStore } from './pathors-idempotency.store.js';
import type { SessionSequencer } from './session-sequencer.js';
import { reasonOf } from './failure-reason.util.js';
import { isThenable, type MaybePromise } from './maybe-promise.util.js';

/** The outcomes one run of a delivery can end in. */
export type DeliveryRunOutcome = Extract<
  PathorsDeliveryOutcome,
  'handled' | 'duplicate' | 'in-progress' | 'failed' | 'error'
>;

/** What every run shares: the pipeline's parts. */
export interface DeliveryRunContext {
  readonly store: PathorsIdempotencyStore;
  readonly dispatcher: PathorsEventDispatcher;
  readonly sequencer?: SessionSequencer;
  readonly claimLeaseMs: number;
  /** Claims held past their first tick (key → token), renewed on the pipeline's timer. */
  readonly leases: Map<string, string>;
  readonly logger: Logger;
}

type Step<T> = (this: DeliveryRun, value: T) => MaybePromise<DeliveryRunOutcome>;

function anyFailed(outcomes: readonly PathorsHandlerOutcome[]): boolean {
  for (const outcome of outcomes) if (outcome.status === 'failed') return true;
  return false;
}

/**
 * One delivery's run: the claim in the idempotency store, the session's turn (with ordering), the dispatch skipping
 * the handlers already done, then the completion, or the release when a handler failed. Each step is a method that
 * returns the outcome or hands its store call's result to the next step through {@link after}: at once when the value
 * is already there (the in-memory store, handlers that return no promise), once it settles otherwise. So a delivery
 * needing nothing asynchronous finishes in the tick it arrived in, for the cost of this one small object. Never
 * rejects: a failure of the store is logged and ends the run as `error`, after releasing the claim it held.
 */
export class DeliveryRun {
  /** Set once the claim is this run's, until it is completed or released. */
  private holdsClaim = false;
  private completedHandlers?: ReadonlySet<string>;

  constructor(
    private readonly context: DeliveryRunContext,
    private readonly event: PathorsEvent | UnknownPathorsEvent,
    private readonly delivery: PathorsDelivery,
    /** The dispatcher's handler count when the delivery was taken: each must report an outcome. */
    private readonly handlerCount: number,
    private readonly token: string,
  ) {}

  /** Runs the delivery: the outcome now when every step answered at once, otherwise a promise of it. */
  start(): MaybePromise<DeliveryRunOutcome> {
    return this.attempt(this.claim, undefined);
  }

  private claim(): MaybePromise<DeliveryRunOutcome> {
    const { store, claimLeaseMs } = this.context;
    return this.after(store.claim(this.delivery.idempotencyKey, this.token, claimLeaseMs), this.claimed);
  }

  private claimed(claim: PathorsClaim): MaybePromise<DeliveryRunOutcome> {
    if (claim.status === 'done') return 'duplicate';
    if (claim.status === 'in-progress') return 'in-progress';
    this.holdsClaim = true;
    this.completedHandlers = claim.completedHandlers;
    const { sequencer } = this.context;
    if (sequencer === undefined) return this.dispatch();
    this.lease();
    return this.after(sequencer.awaitPredecessors(this.delivery), this.dispatch);
  }

  private dispatch(): MaybePromise<DeliveryRunOutcome> {
    const { store, dispatcher } = this.context;
    const key = this.delivery.idempotencyKey;
    // A single handler's record is the event's completion: one store write after it succeeded, as its own record
    // would be, so a redelivery runs it again in exactly the same cases, for one store call less.
    const dispatched = dispatcher.dispatch(this.event, this.delivery, {
      skipHandlers: this.completedHandlers,
      onHandlerSucceeded:
        this.handlerCount > 1 ? (handlerId) => store.recordHandler(key, handlerId) : undefined,
    });
    if (dispatched instanceof Promise) this.lease();
    return this.after(dispatched, this.dispatched);
  }

  private dispatched({ outcomes }: PathorsDispatchResult): MaybePromise<DeliveryRunOutcome> {
    const { store, logger } = this.context;
    const key = this.delivery.idempotencyKey;
    const missing = this.handlerCount - outcomes.length;
    if (missing !== 0) {
      // A handler unsubscribed behind the module's back never ran: the event must not be marked done.
      logger.error(
        `${missing} of ${this.handlerCount} handlers of ${this.delivery.eventName} did not run; ` +
          'the event will be processed again on redelivery',
      );
    }
    if (missing !== 0 || anyFailed(outcomes))
      return this.after(store.release(key, this.token), this.released);
    return this.after(store.complete(key), this.completed);
  }

  private completed(): DeliveryRunOutcome {
    this.letGo();
    return 'handled';
  }

  private released(): DeliveryRunOutcome {
    this.letGo();
    return 'failed';
  }

  /** The store threw or rejected: the claim, if held, is released (whatever that gives), and the run is an `error`. */
  private failed(error: unknown): MaybePromise<DeliveryRunOutcome> {
    const { store, logger } = this.context;
    const key = this.delivery.idempotencyKey;
    const report = (): DeliveryRunOutcome => {
      logger.error(`Idempotency store failed on ${this.delivery.eventName} (${key}): ${reasonOf(error)}`);
      return 'error';
    };
    if (!this.holdsClaim) return report();
    this.letGo();
    let released: unknown;
    try {
      released = store.release(key, this.token);
    } catch {
      // The original failure is the one to report; the claim expires with its lease.
      return report();
    }
    return isThenable(released) ? Promise.resolve(released).then(report, report) : report();
  }

  /** Renews the claim on the pipeline's timer from now on: the run goes on past this tick. */
  private lease(): void {
    this.context.leases.set(this.delivery.idempotencyKey, this.token);
  }

  private letGo(): void {
    this.holdsClaim = false;
    this.context.leases.delete(this.delivery.idempotencyKey);
  }

  /** `step(value)` now, or once `value` settled when it is a promise; a throw or rejection goes to {@link failed}. */
  private after<T>(value: MaybePromise<T>, step: Step<T>): MaybePromise<DeliveryRunOutcome> {
    if (!isThenable(value)) return step.call(this, value);
    return Promise.resolve(value).then(
      (settled) => this.attempt(step, settled),
      (error: unknown) => this.failed(error),
    );
  }

  private attempt<T>(step: Step<T>, value: T): MaybePromise<DeliveryRunOutcome> {
    try {
      return step.call(this, value);
    } catch (error) {
      return this.failed(error);
    }
  }
}
