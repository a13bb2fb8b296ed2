import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PathorsEvent } from '../events/pathors-event.map.js';
import { parsePathorsEvent } from '../events/pathors-event.parser.js';
import type { UnknownPathorsEvent } from '../events/unknown-pathors.event.js';
import type { ResolvedDeliveryOptions, ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import { PathorsPermanentError } from '../pathors.errors.js';
import { SPAN } from '../telemetry/pathors-telemetry.names.js';
import { PathorsTelemetry } from '../telemetry/pathors-telemetry.js';
import { logFieldsOf } from './delivery-log-fields.js';
import { deliveryOf } from './delivery-of.util.js';
import { reasonOf } from './failure-reason.util.js';
import type { PathorsDelivery } from './pathors-delivery.js';
import type { PathorsDeliveryRecord } from './pathors-delivery-record.js';
import { PathorsEventDispatcher, type PathorsHandlerOutcome } from './pathors-event.dispatcher.js';
import type { PathorsIdempotencyStore } from './pathors-idempotency.store.js';
import type { PathorsInbox } from './pathors-inbox.js';
import { raceTimeout } from './race-timeout.util.js';
import { SessionSequencer } from './session-sequencer.js';

/**
 * What became of one delivery:
 * - `handled`: every handler succeeded (some perhaps on an earlier delivery);
 * - `failed-permanently`: a handler threw a `PathorsPermanentError` (the others succeeded): done, not retried;
 * - `no-handler`: nothing listens to this event name;
 * - `duplicate`: the event was already done;
 * - `in-progress`: another request or replica is running the same event right now;
 * - `background`: the answer budget ran out; the handlers finish in the background;
 * - `queued`: persisted in the durable inbox;
 * - `failed`: a handler failed (the others' successes are recorded);
 * - `error`: the idempotency store or the inbox failed: the event was not recorded as done (handlers whose success
 *   could not be recorded run again on redelivery);
 * - `shutting-down`: the app is draining and takes no new deliveries.
 */
export type PathorsDeliveryOutcome =
  | 'handled'
  | 'failed-permanently'
  | 'no-handler'
  | 'duplicate'
  | 'in-progress'
  | 'background'
  | 'queued'
  | 'failed'
  | 'error'
  | 'shutting-down';

/** The outcomes one run of a delivery's handlers can end in. */
type RunOutcome = Extract<
  PathorsDeliveryOutcome,
  'handled' | 'failed-permanently' | 'duplicate' | 'in-progress' | 'failed' | 'error'
>;

/** How far a direct run got, for the answer when the budget runs out first. */
interface RunProgress {
  /** A handler failed (and may be retried): the event will be released, whatever the others do. */
  handlerFailed: boolean;
  /** Every handler has finished: what remains are the store's writes. */
  handlersFinished: boolean;
}

/** A run's outcome, and the handlers that failed in it. */
interface RunResult {
  readonly outcome: RunOutcome;
  readonly failures: readonly PathorsHandlerOutcome[];
}

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

/** Why an inbox job is retried, by outcome. */
const INBOX_FAILURES = {
  failed: (name: string) => `A handler of ${name} failed`,
  'in-progress': (name: string) => `${name} is being processed elsewhere; retrying later`,
  error: (name: string) => `The idempotency store failed while processing ${name}`,
} as const;

/**
 * Pauses before each retry of a write that records a success (175 ms in all, well under any answer budget worth
 * having): a handler that succeeded must not run again because its record met a store blip, such as a Redis restart.
 */
const RECORD_RETRY_DELAYS_MS = [25, 50, 100] as const;

const isFailure = (outcome: PathorsHandlerOutcome) => outcome.status === 'failed';

/**
 * Turns validated deliveries into handler runs with the module's guarantees: a claim in the idempotency store
 * (concurrent duplicates never both run), completion records per handler (a redelivery runs only the handlers that
 * have not succeeded), per-session ordering, the answer budget, the durable inbox, and draining on shutdown.
 */
@Injectable()
export class PathorsDeliveryPipeline
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(PathorsDeliveryPipeline.name);
  private readonly options: ResolvedDeliveryOptions;
  private readonly store: PathorsIdempotencyStore;
  private readonly registration: string;
  private readonly sequencer?: SessionSequencer;
  /** Claims this process holds (key → token), renewed on one shared timer. */
  private readonly leases = new Map<string, string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Claim tokens are this process's id and a counter. */
  private readonly tokenPrefix = `${randomUUID()}:`;
  private claims = 0;
  private accepting = true;
  private renewTimer?: NodeJS.Timeout;

  constructor(
    @Inject(PATHORS_RESOLVED_OPTIONS) options: ResolvedPathorsOptions,
    private readonly dispatcher: PathorsEventDispatcher,
    private readonly telemetry: PathorsTelemetry,
  ) {
    this.options = options.delivery;
    this.store = this.options.store;
    this.registration = options.registration;
    if (this.options.ordering.enabled) {
      this.sequencer = new SessionSequencer(this.store, dispatcher, this.options.ordering.holdMs);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const interval = Math.max(100, Math.floor(this.options.claimLeaseMs / 3));
    this.renewTimer = setInterval(() => this.renewLeases(), interval).unref();
    await this.options.inbox?.start((record) => this.telemetry.process(record, () => this.process(record)));
  }

  /**
   * Takes one authenticated, validated delivery from the webhook: persists it in the inbox, or runs its handlers
   * within the answer budget.
   */
  async accept(
    event: PathorsEvent | UnknownPathorsEvent,
    delivery: PathorsDelivery,
  ): Promise<PathorsDeliveryOutcome> {
    if (!this.accepting) return 'shutting-down';
    const handlerCount = this.dispatcher.handlerCount(delivery.eventName);
    if (handlerCount === 0) return 'no-handler';
    if (this.options.inbox) return this.enqueue(this.options.inbox, delivery);
    const progress: RunProgress = { handlerFailed: false, handlersFinished: false };
    const run = this.track(this.run(event, delivery, handlerCount, 'direct', progress));
    const answered = await raceTimeout(run, this.options.answerBudgetMs, undefined);
    if (answered !== undefined) return answered.outcome;
    // Past the budget, a 2xx only while handlers still run and none failed: the sender must retry anything else.
    if (progress.handlerFailed) return 'failed';
    if (progress.handlersFinished) return 'error';
    void run.then(({ outcome }) => {
      if (outcome !== 'failed') return;
      this.logger.error(
        `${delivery.eventName} (${delivery.idempotencyKey}) was answered 202 past the answer budget, then a handler ` +
          'failed: the sender will not send it again. Use the durable inbox for events that must not be lost this way',
        logFieldsOf(delivery),
      );
    });
    return 'background';
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.accepting = false;
    const deadline = Date.now() + this.options.shutdownTimeoutMs;
    await this.options.inbox?.stop(this.options.shutdownTimeoutMs);
    if (this.inFlight.size === 0) return;
    const pending = this.inFlight.size;
    const drained = await raceTimeout(
      Promise.allSettled([...this.inFlight]).then(() => true),
      Math.max(0, deadline - Date.now()),
      false,
    );
    if (!drained) {
      this.logger.warn(
        `${this.inFlight.size} of ${pending} deliveries still running after delivery.shutdownTimeoutMs ` +
          `(${this.options.shutdownTimeoutMs} ms); their claims expire and a redelivery runs what did not succeed`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.renewTimer);
    await this.options.inbox?.close();
  }

  private async enqueue(inbox: PathorsInbox, delivery: PathorsDelivery): Promise<PathorsDeliveryOutcome> {
    try {
      await this.telemetry.step(SPAN.enqueue, () => inbox.enqueue(this.recordOf(delivery)));
      return 'queued';
    } catch (error) {
      this.logger.error(
        `Could not persist ${delivery.eventName} (${delivery.idempotencyKey}) in the inbox: ${reasonOf(error)}`,
        logFieldsOf(delivery),
      );
      return 'error';
    }
  }

  /**
   * Processes one delivery taken from the inbox; throws to have the inbox retry it, or a `PathorsPermanentError` to
   * have it dead-lettered at once.
   */
  private async process(record: PathorsDeliveryRecord): Promise<void> {
    const parsed = parsePathorsEvent(record.body);
    if (parsed.kind === 'invalid') {
      throw new Error(`Recorded ${record.eventName} no longer validates: ${JSON.stringify(parsed.issues)}`);
    }
    // Handlers are unsubscribed at shutdown: an event must never be marked done because nobody listened.
    const handlerCount = this.dispatcher.handlerCount(parsed.name);
    if (handlerCount === 0) throw new Error(`No handler of ${parsed.name} here`);
    const delivery = deliveryOf(
      parsed,
      record.body,
      record.headers['webhook-id'],
      new Date(record.receivedAt),
      this.registration,
    );
    const { outcome, failures } = await this.track(this.run(parsed.event, delivery, handlerCount, 'inbox'));
    this.telemetry.recordOutcome(outcome);
    if (outcome === 'handled' || outcome === 'duplicate') return;
    if (outcome === 'failed-permanently') {
      const reasons = failures.map(({ handlerId, error }) => `${handlerId}: ${reasonOf(error)}`);
      throw new PathorsPermanentError(`${record.eventName} failed permanently: ${reasons.join('; ')}`);
    }
    throw new Error(INBOX_FAILURES[outcome](record.eventName));
  }

  /**
   * Claim, (ordering), dispatch skipping the handlers already done, then record the outcome: the event is completed
   * when every handler succeeded, released for a redelivery when one failed. Never rejects: a failure of the store is
   * logged and ends the run as `error`. `handlerCount` is the dispatcher's count when the delivery was taken.
   *
   * Only permanent failures: in direct mode the event is completed (the sender must stop retrying it); from the inbox
   * it is released, so a replay from the dead letters runs that handler again.
   */
  private async run(
    event: PathorsEvent | UnknownPathorsEvent,
    delivery: PathorsDelivery,
    handlerCount: number,
    mode: 'direct' | 'inbox',
    progress?: RunProgress,
  ): Promise<RunResult> {
    const key = delivery.idempotencyKey;
    const token = this.tokenPrefix + ++this.claims;
    let holdsClaim = false;
    try {
      const claim = await this.telemetry.step(SPAN.claim, () =>
        this.store.claim(key, token, this.options.claimLeaseMs),
      );
      if (claim.status === 'done') return { outcome: 'duplicate', failures: [] };
      if (claim.status === 'in-progress') return { outcome: 'in-progress', failures: [] };
      holdsClaim = true;
      this.leases.set(key, token);
      await this.sequencer?.awaitPredecessors(delivery);
      const outcomes = await this.dispatcher.dispatch(event, delivery, {
        skipHandlers: claim.completedHandlers,
        // One handler's record is the event's completion: it needs no record of its own (one store call less).
        onHandlerSucceeded:
          handlerCount > 1
            ? (handlerId) => this.recordSuccess(delivery, () => this.store.recordHandler(key, handlerId))
            : undefined,
        onHandlerFailed: progress && (() => (progress.handlerFailed = true)),
      });
      if (progress) progress.handlersFinished = true;
      const missing = handlerCount - outcomes.length;
      if (missing !== 0) {
        // A handler unsubscribed behind the module's back never ran: the event must not be marked done.
        this.logger.error(
          `${missing} of ${handlerCount} handlers of ${delivery.eventName} (${key}) did not run; ` +
            'the event will be processed again on redelivery',
          logFieldsOf(delivery),
        );
      }
      const unrecorded = outcomes.find((handled) => handled.status === 'unrecorded');
      // A success the store could not record is the store's failure: answered like any other (503, send it again).
      if (unrecorded) throw unrecorded.error;
      const failures = outcomes.filter(isFailure);
      const outcome: RunOutcome =
        missing !== 0 || failures.some((failure) => !failure.permanent)
          ? 'failed'
          : failures.length > 0
            ? 'failed-permanently'
            : 'handled';
      if (outcome === 'handled' || (outcome === 'failed-permanently' && mode === 'direct')) {
        await this.telemetry.step(SPAN.complete, () =>
          this.recordSuccess(delivery, () => this.store.complete(key)),
        );
      } else {
        await this.telemetry.step(SPAN.release, () => this.store.release(key, token));
      }
      holdsClaim = false;
      return { outcome, failures };
    } catch (error) {
      this.logger.error(
        `Idempotency store failed on ${delivery.eventName} (${key}): ${reasonOf(error)}`,
        logFieldsOf(delivery),
      );
      // The original failure is the one to report; a claim that cannot be released expires with its lease.
      if (holdsClaim) await this.releaseAfterFailure(key, token);
      return { outcome: 'error', failures: [] };
    } finally {
      // Only this run's lease: a concurrent duplicate answered `in-progress` must not stop the holder's renewals.
      if (this.leases.get(key) === token) this.leases.delete(key);
    }
  }

  /** Runs `write` (a record of handlers' success), retrying it after a short pause when the store fails. */
  private async recordSuccess(delivery: PathorsDelivery, write: () => Promise<void>): Promise<void> {
    for (const delayMs of RECORD_RETRY_DELAYS_MS) {
      try {
        return await write();
      } catch (error) {
        this.logger.warn(
          `Could not record a success of ${delivery.eventName} (${delivery.idempotencyKey}), retrying in ` +
            `${delayMs} ms: ${reasonOf(error)}`,
          logFieldsOf(delivery),
        );
        await sleep(delayMs);
      }
    }
    await write();
  }

  private async releaseAfterFailure(key: string, token: string): Promise<void> {
    try {
      await this.store.release(key, token);
    } catch {
      // The store failure already logged is the one to report; the claim expires with its lease.
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const settled = () => this.inFlight.delete(work);
    work.then(settled, settled);
    return work;
  }

  private renewLeases(): void {
    for (const [key, token] of this.leases) void this.renewLease(key, token);
  }

  private async renewLease(key: string, token: string): Promise<void> {
    try {
      const held = await this.store.renew(key, token, this.options.claimLeaseMs);
      if (!held) this.logger.warn(`Lost the claim on ${key}: its lease expired while its handlers ran`);
    } catch (error) {
      this.logger.warn(`Could not renew the claim on ${key}: ${reasonOf(error)}`);
    }
  }

  private recordOf(delivery: PathorsDelivery): PathorsDeliveryRecord {
    return {
      idempotencyKey: delivery.idempotencyKey,
      eventName: delivery.eventName,
      receivedAt: delivery.receivedAt.toISOString(),
      // The trace context (`traceparent`) lets the worker's span continue the webhook's trace.
      headers: this.telemetry.withTraceContext(
        delivery.deliveryId ? { ...JSON_HEADERS, 'webhook-id': delivery.deliveryId } : JSON_HEADERS,
      ),
      body: delivery.payload,
    };
  }
}
