// `npm run chaos` (full) and `npm run chaos -- --short` (the CI run, under 45 s): two replicas of a webhook app on the
// run's own Redis, a sender that retries like Pathors, and faults during the run (kill -9 of a replica, a Redis
// restart, an answer-budget overrun followed by a kill). Prints what was lost and what ran twice, per mode; exits 1
// when inbox mode lost anything, or ran a handler twice other than after a kill that cut off the record of its
// success. See docs/chaos.md.
import { Queue } from 'bullmq';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PathorsSimulator, type PathorsPayload } from 'nestjs-pathors/testing';
import { AppProcess } from '../support/app-process.js';
import {
  CHAOS_HANDLERS,
  TIMINGS,
  eventKey,
  type ChaosMode,
  type LedgerLine,
  type ReplicaReply,
  type ReplicaRequest,
  type ReplicaSettings,
} from './chaos-ipc.js';
import { ChaosRedis, freePort } from './chaos-redis.js';
import { ChaosSender, type ChaosAnswer } from './chaos-sender.js';

const { values } = parseArgs({ options: { short: { type: 'boolean', default: false } } });

/** How much the run sends: sessions of four lifecycle events each, spread over `sendMs`. */
const PLAN = values.short
  ? { sessions: 30, sendMs: 4_000, deadlineMs: 20_000, drainQuietMs: 1_000 }
  : { sessions: 150, sendMs: 20_000, deadlineMs: 40_000, drainQuietMs: 3_000 };
/** Share of events the sender delivers a second time (an at-least-once sender's duplicate). */
const DUPLICATE_RATE = 0.25;
const ENTRY = new URL('./chaos-app.process.ts', import.meta.url);

type ReplicaProcess = AppProcess<ReplicaRequest, ReplicaReply>;

/** A fault of the run, when it happened. */
interface Fault {
  readonly name: 'kill-replica' | 'redis-restart' | 'budget-then-kill';
  readonly detail: string;
  readonly at: number;
  /** The replica killed, for a kill. */
  readonly replica?: string;
}

/**
 * How soon after a handler's success a kill of its replica can keep that success from being recorded: the store
 * write that follows the handler, on a loaded machine. A duplicate whose first run was cut off this way is the window
 * every at-least-once delivery has (docs/chaos.md); any other duplicate is a bug.
 */
const RECORD_WINDOW_MS = 1_000;
const KILLED_BEFORE_RECORD = 'killed-before-record';

/** What one mode's run measured. */
interface ModeResult {
  readonly summary: string;
  readonly details: readonly string[];
  readonly lost: number;
  /** Handler runs past the first success that the record window does not explain. */
  readonly unexplainedDuplicates: number;
}

/**
 * One replica: its settings, its current process, a standby process (modules loaded, app not booted) for its next
 * restart when one is prepared, and a chain that keeps its kills and restarts in order.
 */
class Replica {
  private process?: ReplicaProcess;
  private standby?: Promise<ReplicaProcess>;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly settings: ReplicaSettings,
    private readonly onSlowStarted: (replica: Replica) => void,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.settings.port}/pathors/webhooks`;
  }

  /** Boots the app in the standby process, or in a new one. */
  start(): Promise<void> {
    return this.inOrder(async () => {
      const process = await (this.standby ?? this.loadStandby());
      this.standby = undefined;
      process.onMessage((message) => {
        if (message.type === 'slow-started') this.onSlowStarted(this);
      });
      await process.request({ type: 'start' });
      this.process = process;
    });
  }

  /** Loads a standby process for the next restart; resolves once it is loaded. */
  async prepareRestart(): Promise<void> {
    this.standby ??= this.loadStandby();
    await this.standby;
  }

  /** `kill -9`, then the app again on the same port; resolves with how long it was down. */
  async killAndRestart(): Promise<number> {
    const killedAt = Date.now();
    await this.inOrder(() => this.process?.kill());
    await this.start();
    return Date.now() - killedAt;
  }

  /** Ends the replica's processes (after the final drain, nothing is left to finish). */
  stop(): Promise<void> {
    return this.inOrder(async () => {
      await this.process?.kill();
      await (await this.standby)?.kill();
      this.standby = undefined;
    });
  }

  private loadStandby(): Promise<ReplicaProcess> {
    const loading = AppProcess.start<ReplicaRequest, ReplicaReply>(ENTRY, [
      JSON.stringify(this.settings),
    ]).then(({ process }) => process);
    loading.catch(() => undefined); // reported when awaited
    return loading;
  }

  private inOrder(step: () => Promise<void> | undefined): Promise<void> {
    this.chain = this.chain.then(step);
    return this.chain;
  }
}

/** Every lifecycle payload of `sessions` call sessions, played by the project's Pathors simulator. */
async function sessionPayloads(sessions: number): Promise<Array<readonly PathorsPayload[]>> {
  const simulator = new PathorsSimulator();
  const played = [];
  for (let index = 0; index < sessions; index++) {
    played.push((await simulator.playSession({ channel: 'call', delivery: false })).payloads);
  }
  return played;
}

const keyOf = (payload: PathorsPayload): string => eventKey(String(payload.event), String(payload.sessionId));

const shuffled = <T>(items: readonly T[]): T[] =>
  items
    .map((item) => ({ item, rank: Math.random() }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ item }) => item);

function readLedger(path: string): LedgerLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LedgerLine);
}

/** Resolves once the ledger stopped growing for `quietMs` and `pending()` is 0 (or after `limitMs`). */
async function drain(ledger: string, quietMs: number, pending: () => Promise<number>, limitMs = 30_000) {
  const deadline = Date.now() + limitMs;
  let lines = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const now = readLedger(ledger).length;
    if (now !== lines) [lines, quietSince] = [now, Date.now()];
    if (Date.now() - quietSince >= quietMs && (await pending()) === 0) return;
    await sleep(250);
  }
}

const count = (items: readonly string[]): string => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts.size === 0 ? 'none' : [...counts].map(([item, n]) => `${item}=${n}`).join(' ');
};

/** The fault nearest to `at`, when one is within `windowMs` of it. */
const nearestFault = (faults: readonly Fault[], at: number, windowMs: number): Fault | undefined =>
  faults
    .filter((fault) => Math.abs(fault.at - at) <= windowMs)
    .sort((a, b) => Math.abs(a.at - at) - Math.abs(b.at - at))[0];

/** The last fault in `[from, to]`. */
const faultBetween = (faults: readonly Fault[], from: number, to: number): Fault | undefined =>
  faults.filter((fault) => fault.at >= from && fault.at <= to).at(-1);

/** What the ledger says of one mode: handled, lost and duplicated events, and the causes of the last two. */
function tallyOf(
  mode: ChaosMode,
  events: readonly PathorsPayload[],
  answers: ReadonlyMap<string, readonly ChaosAnswer[]>,
  lines: readonly LedgerLine[],
  faults: readonly Fault[],
) {
  // Each handler's successful runs, per event.
  const successes = new Map<string, LedgerLine[]>();
  for (const line of lines.filter((entry) => entry.ok)) {
    const runKey = `${line.key} ${line.handler}`;
    successes.set(runKey, [...(successes.get(runKey) ?? []), line]);
  }
  const handledKeys = new Set(
    events.map(keyOf).filter((key) => CHAOS_HANDLERS.every((handler) => successes.has(`${key} ${handler}`))),
  );
  const lostKeys = [...answers.keys()].filter((key) => !handledKeys.has(key));
  const extraRuns = [...successes.values()].flatMap((runs) =>
    runs.slice(1).map((run) => ({ run, first: runs[0] })),
  );

  const lostCauses = lostKeys.map((key) => {
    const answer = answers.get(key)![0];
    const cause = nearestFault(faults, answer.at, 5_000);
    return `answered-${answer.status}(${answer.note ?? 'no note'})+${cause?.name ?? 'no-fault'}`;
  });
  const killedBeforeRecord = (first: LedgerLine) =>
    faults.some(
      (fault) =>
        fault.replica === first.replica && fault.at >= first.at && fault.at - first.at <= RECORD_WINDOW_MS,
    );
  const duplicateCauses = extraRuns.map(({ run, first }) =>
    killedBeforeRecord(first)
      ? KILLED_BEFORE_RECORD
      : (faultBetween(faults, first.at - 1_000, run.at)?.name ?? 'no-fault'),
  );
  const notes = [...answers.values()].flat().map((answer) => `${answer.status}(${answer.note ?? 'no note'})`);
  return {
    runs: `handler-runs=${lines.length} failed-on-purpose=${lines.filter((line) => !line.ok).length}`,
    details: [
      `mode=${mode} 2xx answers: ${count(notes)}`,
      `mode=${mode} lost by cause: ${count(lostCauses)}`,
      `mode=${mode} duplicated by cause: ${count(duplicateCauses)}`,
    ],
    summary:
      `mode=${mode} sent=${events.length} answered2xx=${answers.size} handled=${handledKeys.size} ` +
      `lost=${lostKeys.length} duplicated=${extraRuns.length}`,
    lost: lostKeys.length,
    duplicated: extraRuns.length,
    unexplainedDuplicates: duplicateCauses.filter((cause) => cause !== KILLED_BEFORE_RECORD).length,
  };
}

async function runMode(mode: ChaosMode, redis: ChaosRedis, dir: string): Promise<ModeResult> {
  const sessions = await sessionPayloads(PLAN.sessions);
  const events = sessions.flat();
  // The slow event: a call.ended early in the run (its fault over before the next), whose CRM handler outlasts the
  // answer budget.
  const slowEvent = sessions[Math.floor(PLAN.sessions * 0.1)].find(
    (payload) => payload.event === 'call.ended',
  )!;
  const ledger = join(dir, `${mode}-ledger.jsonl`);
  const keyPrefix = `chaos:${mode}:`;
  const faults: Fault[] = [];
  const fault = (name: Fault['name'], detail: string, at: number, replica?: string) =>
    faults.push({ name, detail, at, replica });

  let budgetFault: Promise<void> | undefined;
  let budgetReplica: Replica | undefined;
  const onSlowStarted = (replica: Replica) => {
    budgetReplica ??= replica;
    // The first time only: the answer budget runs out (direct mode answers 202 background), then the replica dies.
    budgetFault ??= sleep(TIMINGS.answerBudgetMs + 200).then(async () => {
      const downMs = await replica.killAndRestart();
      const detail = `kill -9 ${replica.settings.name} mid slow handler, back in ${downMs} ms`;
      fault('budget-then-kill', detail, Date.now() - downMs, replica.settings.name);
    });
  };
  const replicas = await Promise.all(
    (['fastify', 'express'] as const).map(async (adapter, index) => {
      const settings: ReplicaSettings = {
        name: `replica-${'ab'[index]}-${adapter}`,
        adapter,
        mode,
        port: await freePort(),
        redisPort: redis.port,
        keyPrefix,
        ledger,
        slowKeys: [keyOf(slowEvent)],
      };
      const replica = new Replica(settings, onSlowStarted);
      await replica.start();
      await replica.prepareRestart();
      return replica;
    }),
  );
  const sender = new ChaosSender(
    replicas.map((replica) => ({ name: replica.settings.name, url: replica.url })),
    PLAN.deadlineMs,
  );

  const started = Date.now();
  const answers = new Map<string, ChaosAnswer[]>();
  const deliver = async (payload: PathorsPayload, delayMs: number) => {
    await sleep(delayMs);
    const answer = await sender.deliver(payload);
    if (answer) answers.set(keyOf(payload), [...(answers.get(keyOf(payload)) ?? []), answer]);
  };
  const deliveries = sessions.flatMap((payloads, index) => {
    // Sessions start spread over the send window; a session's events go out reordered, some of them twice.
    const sessionAt = (index / PLAN.sessions) * PLAN.sendMs;
    return shuffled(payloads).flatMap((payload, order) => {
      const at = sessionAt + order * 20 + Math.random() * 100;
      const copies = [deliver(payload, at)];
      // The slow event is sent once: a later copy would run it again once its claim expired, hiding the window.
      if (payload !== slowEvent && Math.random() < DUPLICATE_RATE)
        copies.push(deliver(payload, at + 200 + Math.random() * 1_500));
      return copies;
    });
  });

  // The faults one after the other (each waits for the one before to be over), at their share of the send window.
  const faultsDone = (async () => {
    const at = (fraction: number) => sleep(Math.max(0, started + fraction * PLAN.sendMs - Date.now()));
    await at(0.4);
    await budgetFault;
    // Each replica killed once more, the other one first: its standby for the restart is loaded by then.
    const [first, second] = budgetReplica === replicas[0] ? [replicas[1], replicas[0]] : replicas;
    const killReplica = async (replica: Replica) => {
      const downMs = await replica.killAndRestart();
      const { name } = replica.settings;
      fault('kill-replica', `kill -9 ${name}, back in ${downMs} ms`, Date.now() - downMs, name);
    };
    void second.prepareRestart();
    await killReplica(first);
    await at(0.6);
    const killedAt = Date.now();
    await redis.kill();
    await redis.start();
    fault('redis-restart', `kill -9 redis-server, back in ${Date.now() - killedAt} ms`, killedAt);
    await at(0.85);
    await killReplica(second);
  })();
  await Promise.all(deliveries);
  await faultsDone;

  const queue =
    mode === 'inbox'
      ? new Queue('pathors-inbox', {
          connection: { host: '127.0.0.1', port: redis.port },
          prefix: `${keyPrefix}bull`,
        })
      : undefined;
  const pending = async () =>
    queue ? queue.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active') : 0;
  await drain(ledger, PLAN.drainQuietMs, pending);
  const deadLetters = queue ? await queue.getFailedCount() : 0;
  await queue?.close();
  await Promise.all(replicas.map((replica) => replica.stop()));

  const tally = tallyOf(mode, events, answers, readLedger(ledger), faults);
  const details = [
    ...[...faults]
      .sort((a, b) => a.at - b.at)
      .map((entry) => `mode=${mode} fault ${entry.name} at ${entry.at - started} ms: ${entry.detail}`),
    `mode=${mode} deliveries=${deliveries.length} attempts=${sender.attempts} ` +
      `given-up=${events.length - answers.size} dead-letters=${deadLetters} ${tally.runs}`,
    ...tally.details,
  ];
  return {
    summary: tally.summary,
    details,
    lost: tally.lost,
    unexplainedDuplicates: tally.unexplainedDuplicates,
  };
}
async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pathors-chaos-'));
  const redis = new ChaosRedis(await freePort(), dir);
  try {
    await redis.start();
    const results: ModeResult[] = [];
    for (const mode of ['direct', 'inbox'] as const) {
      const result = await runMode(mode, redis, dir);
      for (const line of result.details) console.log(line);
      results.push(result);
    }
    for (const result of results) console.log(result.summary);
    const inbox = results[1];
    // A kill between a handler's success and its record repeats it in any mode; every other duplicate is a bug.
    return inbox.lost > 0 || inbox.unexplainedDuplicates > 0 ? 1 : 0;
  } finally {
    await redis.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
