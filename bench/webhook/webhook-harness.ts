// What the webhook bench and its `--compare` mode share: starting and checking app processes, one measured load run,
// the scenarios' labels and the targets.
import autocannon from 'autocannon';
import { createHistogram } from 'node:perf_hooks';
import { AppProcess } from '../support/app-process.js';
import { fixed, median } from '../support/stats.js';
import { BENCH_HEADERS, PAYLOAD_KINDS, PayloadMix } from './payload-mix.js';
import type { AppReply, AppRequest, BenchAdapter, ScenarioName } from './webhook-ipc.js';

/** What each scenario is, for the printed tables. */
export const SCENARIO_LABELS: Readonly<Record<ScenarioName, string>> = {
  bare: '(a) bare Nest route',
  memory: '(b) webhook, in-memory dedupe',
  redis: '(c) webhook, Redis store',
  inbox: '(d) webhook, BullMQ inbox',
};

/** Targets, per adapter: throughput ratio of (b) to (a), p99 ratio of (b) to (a), loop delay p99. */
export const WEBHOOK_TARGETS = {
  throughputRatio: { express: 0.85, fastify: 0.75 },
  p99Ratio: 1.5,
  loopDelayP99Ms: 20,
  fixedRate: 2000,
} as const;

/** One measured run. */
export interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** CPU time (user + system) the app process spent per answered request. */
  readonly appCpuMicrosPerRequest: number;
  /** Redis commands the app process sent per answered request (0 without Redis). */
  readonly redisCommandsPerRequest: number;
}

/** An app process of the bench, talked to over IPC. */
export type BenchApp = AppProcess<AppRequest, AppReply>;

/** A started, checked app: its process and the URL its route answers on. */
export interface RunningApp {
  readonly app: BenchApp;
  readonly url: string;
}

const APP_ENTRY = new URL('./webhook-app.process.ts', import.meta.url);

/** One load run: autocannon's result, and the latencies of the 2xx answers at microsecond resolution. */
export interface LoadRun {
  readonly result: autocannon.Result;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Sends the payload mix to `url` for `seconds` from `connections` connections (at most `rate` requests/s if given). */
export async function load(
  url: string,
  mix: PayloadMix,
  seconds: number,
  connections: number,
  rate?: number,
): Promise<LoadRun> {
  // autocannon's own histogram rounds to whole milliseconds, too coarse for answers that take 0.3 to 3 ms; its
  // per-response event carries the time as measured (hrtime, in ms), recorded here in microseconds.
  const latencies = createHistogram();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(
      {
        url,
        method: 'POST',
        headers: { ...BENCH_HEADERS },
        connections,
        duration: seconds,
        overallRate: rate,
        requests: [
          {
            setupRequest: (request) => {
              request.body = mix.next();
              return request;
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error as Error) : resolve(finished)),
    );
    run.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300)
        latencies.record(Math.max(1, Math.round(responseTimeMs * 1000)));
    });
  });
  if (result.non2xx > 0) {
    throw new Error(
      `${url} answered ${result.non2xx} non-2xx responses: ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  if (result.errors > 0)
    console.warn(`  ! ${result.errors} connection errors (${result.timeouts} timeouts) on ${url}`);
  return { result, p50Ms: latencies.percentile(50) / 1000, p99Ms: latencies.percentile(99) / 1000 };
}

async function appCounters(app: BenchApp): Promise<{ micros: number; redisCommands: number }> {
  const reading = await app.request({ type: 'cpu-read' });
  if (reading.type !== 'cpu') throw new Error(`expected a cpu reading, got ${reading.type}`);
  return reading;
}

/** One measured run of `seconds` on a running app, with the app process's CPU time read around it. */
export async function measure(
  { app, url }: RunningApp,
  mix: PayloadMix,
  seconds: number,
  connections: number,
): Promise<LoadFigures> {
  const before = await appCounters(app);
  const { result, p50Ms, p99Ms } = await load(url, mix, seconds, connections);
  const after = await appCounters(app);
  const perRequest = (count: number) => (result['2xx'] > 0 ? count / result['2xx'] : Number.NaN);
  return {
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms,
    p99Ms,
    requests: result['2xx'],
    appCpuMicrosPerRequest: perRequest(after.micros - before.micros),
    redisCommandsPerRequest: perRequest(after.redisCommands - before.redisCommands),
  };
}

/** The medians over a scenario's rounds (requests summed). */
export function medianFigures(rounds: readonly LoadFigures[]): LoadFigures {
  return {
    requestsPerSecond: median(rounds.map((figures) => figures.requestsPerSecond)),
    p50Ms: median(rounds.map((figures) => figures.p50Ms)),
    p99Ms: median(rounds.map((figures) => figures.p99Ms)),
    requests: rounds.reduce((sum, figures) => sum + figures.requests, 0),
    appCpuMicrosPerRequest: median(rounds.map((figures) => figures.appCpuMicrosPerRequest)),
    redisCommandsPerRequest: median(rounds.map((figures) => figures.redisCommandsPerRequest)),
  };
}

/** One run's figures on one line, for the progress log. */
export function describeRun(figures: LoadFigures): string {
  return (
    `${fixed(figures.requestsPerSecond, 0).padStart(6)} req/s  p50 ${fixed(figures.p50Ms, 2)} ms  ` +
    `p99 ${fixed(figures.p99Ms, 2)} ms  app CPU ${fixed(figures.appCpuMicrosPerRequest, 1)} µs/req`
  );
}

/** What each scenario must answer to a fresh event: handled now (200), or persisted in the inbox (202 "queued"). */
const EXPECTED_ANSWER: Readonly<Record<ScenarioName, { status: number; note?: string }>> = {
  bare: { status: 200 },
  memory: { status: 200 },
  redis: { status: 200 },
  inbox: { status: 202, note: 'queued' },
};

async function post(url: string, body: string): Promise<{ status: number; note?: string; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: BENCH_HEADERS,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const parsed = JSON.parse(text) as { note?: string };
  return { status: response.status, note: parsed.note, text };
}

/**
 * Sends one request of every kind and checks the answer, so that the bench measures the full path (handler run,
 * or delivery queued); then sends one twice and checks the webhook recognised the duplicate (dedupe is active).
 */
async function preflight(url: string, scenario: ScenarioName): Promise<void> {
  const mix = new PayloadMix();
  const expected = EXPECTED_ANSWER[scenario];
  let body = '';
  for (let kind = 0; kind < PAYLOAD_KINDS; kind++) {
    body = mix.next();
    const answer = await post(url, body);
    if (answer.status !== expected.status || answer.note !== expected.note) {
      throw new Error(`${scenario}: ${url} answered ${answer.status} ${answer.text} to ${body}`);
    }
  }
  if (scenario === 'bare') return;
  const again = await post(url, body);
  if (!again.note?.startsWith('duplicate') && scenario !== 'inbox') {
    throw new Error(
      `${scenario}: a redelivery was not recognised as a duplicate: ${again.status} ${again.text}`,
    );
  }
}

/** Options of {@link startApp}. */
export interface StartAppOptions {
  /** Write the app's CPU profile into this folder when it closes. */
  readonly profileDir?: string;
  /**
   * Load `nestjs-pathors` from this `libs/pathors/src` folder instead of this checkout's; the app's ready message must
   * confirm it did.
   */
  readonly librarySource?: string;
}

/** Starts one app process (not yet checked: see {@link checkApp}). */
export async function startApp(
  adapter: BenchAdapter,
  scenario: ScenarioName,
  options: StartAppOptions = {},
): Promise<RunningApp> {
  const { process: child, ready } = await AppProcess.start<AppRequest, AppReply>(
    APP_ENTRY,
    [adapter, scenario],
    {
      profileDir: options.profileDir,
      env: options.librarySource ? { NESTJS_PATHORS_BENCH_SOURCE: options.librarySource } : undefined,
    },
  );
  if (ready.type !== 'ready') throw new Error(`${scenario} app sent ${ready.type} instead of ready`);
  if (options.librarySource && !ready.libraryEntry.startsWith(`${options.librarySource}/`)) {
    await child.close({ type: 'close' });
    throw new Error(
      `${adapter} ${scenario}: nestjs-pathors loaded from ${ready.libraryEntry}, not from ${options.librarySource}`,
    );
  }
  return { app: child, url: `http://127.0.0.1:${ready.port}${ready.path}` };
}

/** Checks a started app answers every kind of event as its scenario must (see `preflight`). */
export function checkApp({ url }: RunningApp, scenario: ScenarioName): Promise<void> {
  return preflight(url, scenario);
}

/** Asks every app to close, one after the other. */
export async function closeApps(apps: Iterable<RunningApp>): Promise<void> {
  for (const { app } of apps) await app.close({ type: 'close' });
}
