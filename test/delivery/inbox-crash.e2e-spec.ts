import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { buildCallEnded, sharedSecretHeaders } from 'nestjs-pathors/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureBuiltPackage } from './support/built-package.js';
import { connectRedis, deleteKeys, eventually, uniquePrefix } from './support/delivery-fixtures.js';

const SECRET = 'crash-suite-secret';
const EVENTS = 200;
const KILL_AFTER_HANDLED = 20;
/** The fixture's worker concurrency: at most this many handler runs can be cut by the kill. */
const CONCURRENCY = 8;
const FIXTURE = join(process.cwd(), 'test/delivery/fixtures/inbox-app.mjs');

const redis = connectRedis();
const prefix = uniquePrefix('crash');
const queue = new Queue('pathors-inbox', {
  connection: { host: '127.0.0.1', port: 6379 },
  prefix: `${prefix}bull`,
});

interface RunningApp {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts the fixture app as a child process and resolves once it listens. */
function startApp(): Promise<RunningApp> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, PATHORS_TEST_PREFIX: prefix, PATHORS_TEST_SECRET: SECRET, HANDLER_MS: '40' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`Fixture app exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number };
      resolve({ child, url: `http://127.0.0.1:${port}/pathors/webhooks` });
    });
  });
}

const stop = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });

const HEADERS = { ...sharedSecretHeaders(SECRET), 'content-type': 'application/json' };

/** Posts like Pathors does: the status when an answer came, `undefined` when the connection broke. */
const deliver = (url: string, event: object): Promise<number | undefined> =>
  fetch(url, { method: 'POST', headers: HEADERS, body: JSON.stringify(event) }).then(
    async (response) => {
      await response.arrayBuffer();
      return response.status;
    },
    () => undefined,
  );

const is2xx = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

describe('durable inbox: kill -9 while events are in flight', () => {
  let app: RunningApp | undefined;
  beforeAll(() => ensureBuiltPackage(), 180_000);
  afterAll(async () => {
    if (app) await stop(app.child, 'SIGTERM');
    await queue.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('processes every event answered 2xx exactly once across the crash and restart', async () => {
    const events = Array.from({ length: EVENTS }, () => buildCallEnded());
    const answered = new Set<string>();
    let delivered = 0;
    let answered2xx = 0;
    const send = async (url: string, event: (typeof events)[number]) => {
      delivered++;
      const status = await deliver(url, event);
      if (is2xx(status)) {
        answered2xx++;
        answered.add(event.sessionId);
      }
      return status;
    };
    const countsOf = async (hash: 'runs' | 'effects') => {
      const counts = await redis.hgetall(`${prefix}${hash}`);
      return new Map(Object.entries(counts).map(([sessionId, count]) => [sessionId, Number(count)]));
    };

    // Phase 1: deliveries arrive in batches while handlers run; the process dies with SIGKILL mid-stream.
    app = await startApp();
    const first = app;
    const killed = eventually(
      async () => (await redis.hlen(`${prefix}effects`)) >= KILL_AFTER_HANDLED,
      'handlers running',
      30_000,
    ).then(() => stop(first.child, 'SIGKILL'));
    const phase1: Array<Promise<number | undefined>> = [];
    for (let index = 0; index < EVENTS; index += 5) {
      phase1.push(...events.slice(index, index + 5).map((event) => send(first.url, event)));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await Promise.all(phase1);
    await killed;
    const handledAtKill = (await countsOf('effects')).size;
    const answeredAtKill = answered.size;

    // Phase 2: restart; the sender retries what got no 2xx, and sends some answered events again.
    app = await startApp();
    const restarted = app;
    const retries = events.filter((event) => !answered.has(event.sessionId));
    const resent = events.filter((event) => answered.has(event.sessionId)).slice(0, 20);
    await Promise.all([...retries, ...resent].map((event) => send(restarted.url, event)));
    expect(answered.size).toBe(EVENTS);

    await eventually(
      async () => (await countsOf('effects')).size >= answered.size,
      'every answered event handled',
      30_000,
    );
    await eventually(
      async () => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((count) => count === 0);
      },
      'inbox drained',
      30_000,
    );

    const runs = await countsOf('runs');
    const effects = await countsOf('effects');
    const lost = [...answered].filter((sessionId) => !effects.has(sessionId));
    const totalRuns = [...runs.values()].reduce((sum, count) => sum + count, 0);
    const rerunAfterCrash = totalRuns - runs.size;
    console.log(
      [
        `inbox crash test: ${EVENTS} events; killed after ${handledAtKill} handled / ${answeredAtKill} answered 2xx`,
        `delivered ${delivered}`,
        `answered 2xx ${answered2xx}`,
        `handled ${effects.size}`,
        `duplicates dropped ${answered2xx - totalRuns}`,
        `lost ${lost.length}`,
        `handler runs cut between effect and success record, run again ${rerunAfterCrash}`,
        `dead letters ${await queue.getFailedCount()}`,
      ].join('\n  '),
    );
    expect(handledAtKill).toBeLessThan(EVENTS);
    expect(lost).toEqual([]);
    expect(effects.size).toBe(EVENTS);
    // Only a run the kill interrupted may run again: the module never re-runs a handler whose success it recorded.
    expect(rerunAfterCrash).toBeLessThanOrEqual(CONCURRENCY);
    expect(runs.size).toBe(EVENTS);
    expect(await queue.getFailedCount()).toBe(0);
  }, 120_000);
});
