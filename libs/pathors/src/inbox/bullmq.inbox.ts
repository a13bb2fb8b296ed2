import { Logger } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { PathorsDeadLetter, PathorsDeliveryRecord } from '../delivery/pathors-delivery-record.js';
import { PathorsInbox, type PathorsInboxProcessor } from '../delivery/pathors-inbox.js';
import { raceTimeout, withCommandTimeout } from '../delivery/race-timeout.util.js';
import { PathorsPermanentError } from '../pathors.errors.js';

/** Options of {@link BullMqInbox}. */
export interface BullMqInboxOptions {
  /**
   * Redis connection: ioredis options (BullMQ opens its own connections) or an ioredis client created with
   * `maxRetriesPerRequest: null`. With options, the connection that enqueues is opened with
   * `enableOfflineQueue: false` (a delivery is refused at once while Redis is down, rather than queued in memory),
   * and every connection retries to connect at least every 2 s unless you give a `retryStrategy`; a client of your
   * own keeps its options, bounded by `commandTimeoutMs` all the same.
   * @example { host: '127.0.0.1', port: 6379 }
   */
  connection: ConnectionOptions;
  /**
   * Name of the BullMQ queue.
   * @default 'pathors-inbox'
   */
  queueName?: string;
  /**
   * BullMQ key prefix. Give each app (and each test run) its own.
   * @default 'bull'
   */
  prefix?: string;
  /**
   * Attempts per delivery (the first included) before it is dead-lettered.
   * @default 8
   */
  attempts?: number;
  /**
   * Delay before the first retry, in milliseconds; it doubles on every further retry.
   * @default 1000
   */
  backoffMs?: number;
  /**
   * Deliveries processed at once by this replica.
   * @default 10
   */
  concurrency?: number;
  /**
   * Run a worker in this replica. `false` makes a replica that only receives and persists.
   * @default true
   */
  consume?: boolean;
  /**
   * How long a worker's lock on a delivery lasts without renewal, in milliseconds: after a crash, the delivery is
   * picked up again once its lock expired (checked every `lockDurationMs / 2`).
   * @default 30000
   */
  lockDurationMs?: number;
  /**
   * How many times a delivery may be picked up again after its worker died (its lock expired) before it is
   * dead-lettered as stalled. BullMQ's own default, 1, dead-letters a delivery whose process was killed twice, for
   * instance by two deploys in a row; a higher count keeps it in the inbox.
   * @default 10
   */
  maxStalledCount?: number;
  /**
   * Longest wait for Redis to persist a delivery (or answer a health check), in milliseconds. Past it the webhook
   * answers 503 with `Retry-After` and the sender sends the event again: keep it well below
   * `delivery.answerBudgetMs`.
   * @default 1000
   */
  commandTimeoutMs?: number;
}

/** How often a connection opened from options retries to connect, at most (BullMQ's own default grows to 20 s). */
const MAX_RECONNECT_DELAY_MS = 2000;
/** How long the same connection error is not logged again. */
const ERROR_LOG_INTERVAL_MS = 30_000;
const DEFAULT_MAX_STALLED_COUNT = 10;

type DeliveryJob = Job<PathorsDeliveryRecord, void, string>;

/**
 * The durable inbox on BullMQ: each delivery is a job whose id derives from the event's idempotency key (so a
 * redelivery that arrives while the first is queued is not queued twice); workers on every replica process jobs
 * with exponential backoff; a job that failed its last attempt stays in the queue's failed set: the dead letters.
 *
 * @example
 * ```ts
 * import { BullMqInbox } from 'nestjs-pathors/inbox';
 *
 * PathorsModule.forRoot({
 *   webhook: { secret: process.env.PATHORS_WEBHOOK_SECRET },
 *   delivery: {
 *     store: new RedisIdempotencyStore(redis),
 *     inbox: new BullMqInbox({ connection: { host: 'redis', port: 6379 }, attempts: 10 }),
 *   },
 * })
 * ```
 */
export class BullMqInbox extends PathorsInbox {
  private readonly logger = new Logger(BullMqInbox.name);
  private readonly queueName: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly commandTimeoutMs: number;
  private readonly concurrency: number;
  private readonly lockDurationMs: number;
  private readonly maxStalledCount: number;
  private queue?: Queue<PathorsDeliveryRecord, void, string>;
  private worker?: Worker<PathorsDeliveryRecord, void, string>;

  constructor(private readonly options: BullMqInboxOptions) {
    super();
    this.queueName = options.queueName ?? 'pathors-inbox';
    this.attempts = positive(options.attempts, 'attempts', 8);
    this.backoffMs = positive(options.backoffMs, 'backoffMs', 1000);
    this.concurrency = positive(options.concurrency, 'concurrency', 10);
    this.lockDurationMs = positive(options.lockDurationMs, 'lockDurationMs', 30_000);
    this.maxStalledCount = positive(options.maxStalledCount, 'maxStalledCount', DEFAULT_MAX_STALLED_COUNT);
    this.commandTimeoutMs = positive(options.commandTimeoutMs, 'commandTimeoutMs', 1000);
  }

  override async enqueue(record: PathorsDeliveryRecord): Promise<void> {
    const adding = this.getQueue().add(record.eventName, record, {
      jobId: jobIdOf(record.idempotencyKey),
      attempts: this.attempts,
      backoff: { type: 'exponential', delay: this.backoffMs },
      removeOnComplete: true,
      removeOnFail: false,
    });
    // A job added late is processed all the same: the sender's redelivery finds it queued (same job id) or done.
    await this.bounded('enqueue', adding);
  }

  /** Resolves once Redis answers a read of the queue within `commandTimeoutMs`; rejects otherwise. */
  override async ping(): Promise<void> {
    await this.bounded('ping', this.getQueue().getFailedCount());
  }

  override async start(processor: PathorsInboxProcessor): Promise<void> {
    // Connect the queue at boot, not on the first delivery.
    await this.getQueue().waitUntilReady();
    if (this.options.consume === false || this.worker) return;
    this.worker = new Worker<PathorsDeliveryRecord, void, string>(
      this.queueName,
      (job) => processRecord(processor, job.data),
      {
        connection: connectionOf(this.options.connection, {}),
        prefix: this.options.prefix,
        concurrency: this.concurrency,
        lockDuration: this.lockDurationMs,
        stalledInterval: Math.max(500, Math.floor(this.lockDurationMs / 2)),
        maxStalledCount: this.maxStalledCount,
      },
    );
    logErrors(this.worker, 'Inbox worker', this.logger);
    this.worker.on('failed', (job, error) => {
      if (job && (error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1))) {
        this.logger.error(
          `Dead-lettered ${job.data.eventName} (${job.data.idempotencyKey}) after ${job.attemptsMade} attempts: ` +
            error.message,
          {
            eventName: job.data.eventName,
            deliveryId: job.data.headers['webhook-id'],
            idempotencyKey: job.data.idempotencyKey,
          },
        );
      }
    });
    await this.worker.waitUntilReady();
  }

  override async stop(timeoutMs: number): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const closing = worker.close();
    if (
      !(await raceTimeout(
        closing.then(() => true),
        timeoutMs,
        false,
      ))
    ) {
      this.logger.warn(
        `Inbox jobs still running after ${timeoutMs} ms; they run again once their lock expires`,
      );
      await worker.close(true);
    }
  }

  override async close(): Promise<void> {
    await this.worker?.close(true);
    await this.queue?.close();
  }

  override async listDeadLetters(offset: number, limit: number): Promise<PathorsDeadLetter[]> {
    if (limit <= 0) return [];
    // BullMQ lists the failed set newest first; dead letters read best oldest first.
    const total = await this.getQueue().getFailedCount();
    const end = total - 1 - offset;
    if (end < 0) return [];
    const jobs = (await this.getQueue().getFailed(Math.max(0, end - limit + 1), end)) as DeliveryJob[];
    return jobs.reverse().map((job) => ({
      id: String(job.id),
      record: job.data,
      attempts: job.attemptsMade,
      failedReason: job.failedReason ?? '',
      failedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn),
    }));
  }

  override countDeadLetters(): Promise<number> {
    return this.getQueue().getFailedCount();
  }

  override countPending(): Promise<number> {
    return this.getQueue().getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active');
  }

  override async replayDeadLetter(id: string): Promise<boolean> {
    const job = await this.getQueue().getJob(id);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  }

  private bounded<T>(name: string, command: Promise<T>): Promise<T> {
    return withCommandTimeout(command, name, this.commandTimeoutMs);
  }

  private getQueue(): Queue<PathorsDeliveryRecord, void, string> {
    if (!this.queue) {
      this.queue = new Queue<PathorsDeliveryRecord, void, string>(this.queueName, {
        connection: connectionOf(this.options.connection, { enableOfflineQueue: false }),
        prefix: this.options.prefix,
      });
      logErrors(this.queue, 'Inbox queue', this.logger);
    }
    return this.queue;
  }
}

/**
 * The connection options BullMQ opens a connection with: the user's, with a reconnection at least every
 * {@link MAX_RECONNECT_DELAY_MS} unless they chose a `retryStrategy`, and `overrides`. A client instance is the
 * user's and used as it is.
 */
function connectionOf(
  connection: ConnectionOptions,
  overrides: { enableOfflineQueue?: false },
): ConnectionOptions {
  if (connection instanceof EventEmitter) return connection;
  return {
    retryStrategy: (attempts: number) => Math.min(attempts * 200, MAX_RECONNECT_DELAY_MS),
    ...connection,
    ...overrides,
  } as ConnectionOptions;
}

/**
 * Logs a BullMQ queue's or worker's `'error'` events (a listener also keeps BullMQ from writing them to the console);
 * the same message at most once per {@link ERROR_LOG_INTERVAL_MS}, as a connection that is down fails again on every
 * reconnection.
 */
function logErrors(emitter: EventEmitter, what: string, logger: Logger): void {
  let last = { message: '', at: 0 };
  emitter.on('error', (error: Error) => {
    const now = Date.now();
    if (error.message === last.message && now - last.at < ERROR_LOG_INTERVAL_MS) return;
    last = { message: error.message, at: now };
    logger.error(`${what} error: ${error.message}`);
  });
}

/** Runs `processor`; a permanent failure becomes BullMQ's `UnrecoverableError`: dead-lettered without more attempts. */
async function processRecord(processor: PathorsInboxProcessor, record: PathorsDeliveryRecord): Promise<void> {
  try {
    await processor(record);
  } catch (error) {
    if (error instanceof PathorsPermanentError) throw new UnrecoverableError(error.message);
    throw error;
  }
}

/** BullMQ job ids may not contain ':'; a hash keeps them short and safe. */
const jobIdOf = (idempotencyKey: string): string =>
  createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 32);

const positive = (value: number | undefined, option: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(
      `BullMqInbox option "${option}" must be a positive integer, got ${value}. Leave it unset for ${fallback}.`,
    );
  }
  return value;
};
