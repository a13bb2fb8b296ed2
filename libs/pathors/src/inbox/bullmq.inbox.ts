import { Logger } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { createHash } from 'node:crypto';
import type { PathorsDeadLetter, PathorsDeliveryRecord } from '../delivery/pathors-delivery-record.js';
import { PathorsInbox, type PathorsInboxProcessor } from '../delivery/pathors-inbox.js';
import { raceTimeout } from '../delivery/race-timeout.util.js';
import { PathorsPermanentError } from '../pathors.errors.js';

/** Options of {@link BullMqInbox}. */
export interface BullMqInboxOptions {
  /**
   * Redis connection: ioredis options (BullMQ opens its own connections) or an ioredis client created with
   * `maxRetriesPerRequest: null`.
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
}

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
  private queue?: Queue<PathorsDeliveryRecord, void, string>;
  private worker?: Worker<PathorsDeliveryRecord, void, string>;

  constructor(private readonly options: BullMqInboxOptions) {
    super();
    this.queueName = options.queueName ?? 'pathors-inbox';
    this.attempts = positive(options.attempts, 'attempts', 8);
    this.backoffMs = positive(options.backoffMs, 'backoffMs', 1000);
    positive(options.concurrency, 'concurrency', 10);
    positive(options.lockDurationMs, 'lockDurationMs', 30_000);
    positive(options.maxStalledCount, 'maxStalledCount', DEFAULT_MAX_STALLED_COUNT);
  }

  override async enqueue(record: PathorsDeliveryRecord): Promise<void> {
    await this.getQueue().add(record.eventName, record, {
      jobId: jobIdOf(record.idempotencyKey),
      attempts: this.attempts,
      backoff: { type: 'exponential', delay: this.backoffMs },
      removeOnComplete: true,
      removeOnFail: false,
    });
  }

  override async start(processor: PathorsInboxProcessor): Promise<void> {
    // Connect the queue at boot, not on the first delivery.
    await this.getQueue().waitUntilReady();
    if (this.options.consume === false || this.worker) return;
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    this.worker = new Worker<PathorsDeliveryRecord, void, string>(
      this.queueName,
      (job) => processRecord(processor, job.data),
      {
        connection: this.options.connection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency ?? 10,
        lockDuration,
        stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
        maxStalledCount: this.options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT,
      },
    );
    this.worker.on('error', (error) => this.logger.error(`Inbox worker error: ${error.message}`));
    this.worker.on('failed', (job, error) => {
      if (job && (error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1))) {
        this.logger.error(
          `Dead-lettered ${job.data.eventName} (${job.data.idempotencyKey}) after ${job.attemptsMade} attempts: ` +
            error.message,
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

  private getQueue(): Queue<PathorsDeliveryRecord, void, string> {
    if (!this.queue) {
      this.queue = new Queue<PathorsDeliveryRecord, void, string>(this.queueName, {
        connection: this.options.connection,
        prefix: this.options.prefix,
      });
      // Without a listener BullMQ writes a lost connection to the console, outside the app's logger.
      this.queue.on('error', (error) => this.logger.error(`Inbox queue error: ${error.message}`));
    }
    return this.queue;
  }
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
