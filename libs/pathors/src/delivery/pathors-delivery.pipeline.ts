import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { PathorsEvent } from '../events/pathors-event.map.js';
import { parsePathorsEvent } from '../events/pathors-event.parser.js';
import type { UnknownPathorsEvent } from '../events/unknown-pathors.event.js';
import type { ResolvedDeliveryOptions, ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import { deliveryOf } from './delivery-of.util.js';
import type { PathorsDelivery } from './pathors-delivery.js';
import type { PathorsDeliveryRecord } from './pathors-delivery-record.js';
import { PathorsEventDispatcher } from './pathors-event.dispatcher.js';
import type { PathorsIdempotencyStore } from './pathors-idempotency.store.js';
import { AnswerDeadlines } from './answer-deadlines.js';
import { raceTimeout } from './race-timeout.util.js';
import { SessionSequencer } from './session-sequencer.js';
import type { MaybePromise } from './maybe-promise.util.js';
import { DeliveryRun, type DeliveryRunContext, type DeliveryRunOutcome } from './delivery-run.js';
import { reasonOf } from './failure-reason.util.js';
import type { PathorsInbox } from './pathors-inbox.js';

/**
 * What became of one delivery:
 * - `handled`: every handler succeeded (some perhaps on an earlier delivery);
 * - `no-handler`: nothing listens to this event name;
 * - `duplicate`: the event was already done;
 * - `in-progress`: another request or replica is running the same event right now;
 * - `background`: the answer budget ran out; the handlers finish in the background;
 * - `queued`: persisted in the durable inbox;
 * - `failed`: a handler failed (the others' successes are recorded);
 * - `error`: the idempotency store or the inbox could not be reached, nothing was recorded as done;
 * - `shutting-down`: the app is draining and takes no new deliveries.
 */
export type PathorsDeliveryOutcome =
  | 'handled'
  | 'no-handler'
  | 'duplicate'
  | 'in-progress'
  | 'background'
  | 'queued'
  | 'failed'
  | 'error'
  | 'shutting-down';

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

/** Why an inbox job is retried, by outcome. */
const INBOX_FAILURES = {
  failed: (name: string) => `A handler of ${name} failed`,
  'in-progress': (name: string) => `${name} is being processed elsewhere; retrying later`,
  error: (name: string) => `The idempotency store failed while processing ${name}`,
} as const;

/**
 * Turns validated deliveries into handler runs with the module's guarantees: a claim in the idempotency store
 * (concurrent duplicates never both run), completion records per handler (a redelivery runs only the handlers that
 * have not succeeded), per-session ordering, the answer budget, the durable inbox, and draining on shutdown.
 */
@Injectable()
export class PathorsDeliveryPipeline
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('PathorsDelivery');
  private readonly options: ResolvedDeliveryOptions;
  private readonly store: PathorsIdempotencyStore;
  private readonly sequencer?: SessionSequencer;
  private readonly answerDeadlines: AnswerDeadlines;
  private readonly runContext: DeliveryRunContext;
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
  ) {
    this.options = options.delivery;
    this.store = this.options.store;
    this.answerDeadlines = new AnswerDeadlines(this.options.answerBudgetMs);
    if (this.options.ordering.enabled) {
      this.sequencer = new SessionSequencer(this.store, dispatcher, this.options.ordering.holdMs);
    }
    this.runContext = {
      store: this.store,
      dispatcher,
      sequencer: this.sequencer,
      claimLeaseMs: this.options.claimLeaseMs,
      leases: this.leases,
      logger: this.logger,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const interval = Math.max(100, Math.floor(this.options.claimLeaseMs / 3));
    this.renewTimer = setInterval(() => this.renewLeases(), interval).unref();
    await this.options.inbox?.start((record) => this.process(record));
  }

  /**
   * Takes one authenticated, validated delivery from the webhook: persists it in the inbox, or runs its handlers
   * within the answer budget. The outcome comes at once when the store and every handler answered at once (the
   * in-memory store and handlers that return no promise), otherwise as a promise.
   */
  accept(
    event: PathorsEvent | UnknownPathorsEvent,
    delivery: PathorsDelivery,
  ): MaybePromise<PathorsDeliveryOutcome> {
    if (!this.accepting) return 'shutting-down';
    const handlerCount = this.dispatcher.handlerCount(delivery.eventName);
    if (handlerCount === 0) return 'no-handler';
    if (this.options.inbox) return this.enqueue(this.options.inbox, delivery);
    const outcome = this.run(event, delivery, handlerCount);
    if (!(outcome instanceof Promise)) return outcome;
    return this.answerDeadlines.race(this.track(outcome), 'background' as const);
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
    this.answerDeadlines.close();
    await this.options.inbox?.close();
  }

  private async enqueue(inbox: PathorsInbox, delivery: PathorsDelivery): Promise<PathorsDeliveryOutcome> {
    try {
      await inbox.enqueue(this.recordOf(delivery));
      return 'queued';
    } catch (error) {
      this.logger.error(`Could not persist ${delivery.eventName} in the inbox: ${reasonOf(error)}`);
      return 'error';
    }
  }

  /** Processes one delivery taken from the inbox; throws to have the inbox retry it. */
  private async process(record: PathorsDeliveryRecord): Promise<void> {
    const parsed = parsePathorsEvent(record.body);
    if (parsed.kind === 'invalid') {
      throw new Error(`Recorded ${record.eventName} no longer validates: ${JSON.stringify(parsed.issues)}`);
    }
    // Listeners are removed at shutdown: an event must never be marked done because nobody listened.
    const handlerCount = this.dispatcher.handlerCount(parsed.name);
    if (handlerCount === 0) throw new Error(`No handler of ${parsed.name} here`);
    const receivedAt = new Date(record.receivedAt);
    const delivery = deliveryOf(parsed, record.body, record.headers['webhook-id'], receivedAt);
    const run = this.run(parsed.event, delivery, handlerCount);
    const outcome = run instanceof Promise ? await this.track(run) : run;
    if (outcome === 'handled' || outcome === 'duplicate') return;
    throw new Error(INBOX_FAILURES[outcome](record.eventName));
  }

  /**
   * Claim, (ordering), dispatch skipping the handlers already done, then record the outcome (see {@link DeliveryRun}).
   * Never rejects. `handlerCount` is the dispatcher's count when the delivery was taken.
   */
  private run(
    event: PathorsEvent | UnknownPathorsEvent,
    delivery: PathorsDelivery,
    handlerCount: number,
  ): MaybePromise<DeliveryRunOutcome> {
    return new DeliveryRun(
      this.runContext,
      event,
      delivery,
      handlerCount,
      this.tokenPrefix + ++this.claims,
    ).start();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const settled = () => this.inFlight.delete(work);
    work.then(settled, settled);
    return work;
  }

  private renewLeases(): void {
    for (const [key, token] of this.leases) {
      Promise.resolve()
        .then(() => this.store.renew(key, token, this.options.claimLeaseMs))
        .then(
          (held) => {
            if (!held) this.logger.warn(`Lost the claim on ${key}: its lease expired while its handlers ran`);
          },
          (error: unknown) => this.logger.warn(`Could not renew the claim on ${key}: ${reasonOf(error)}`),
        );
    }
  }

  private recordOf(delivery: PathorsDelivery): PathorsDeliveryRecord {
    return {
      idempotencyKey: delivery.idempotencyKey,
      eventName: delivery.eventName,
      receivedAt: delivery.receivedAt.toISOString(),
      headers: delivery.deliveryId ? { ...JSON_HEADERS, 'webhook-id': delivery.deliveryId } : JSON_HEADERS,
      body: delivery.payload,
    };
  }
}
