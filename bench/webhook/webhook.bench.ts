import autocannon from 'autocannon';
import { createHistogram } from 'node:perf_hooks';
import { AppProcess } from '../support/app-process.js';
import { fixed, median, printTable, quantile } from '../support/stats.js';
import { BENCH_HEADERS, PAYLOAD_KINDS, PayloadMix } from './payload-mix.js';
import type { AppReply, AppRequest, ScenarioName } from './webhook-ipc.js';

/** The HTTP adapters every scenario runs on. */
export const BENCH_ADAPTERS = ['express', 'fastify'] as const;
/** One of {@link BENCH_ADAPTERS}. */
export type BenchAdapter = (typeof BENCH_ADAPTERS)[number];

/** What each scenario is, for the printed tables. */
export const SCENARIO_LABELS: Readonly<Record<ScenarioName, string>> = {
  bare: '(a) bare Nest route',
  memory: '(b) webhook, in-memory dedupe',
  redis: '(c) webhook, Redis store',
  inbox: '(d) webhook, BullMQ inbox',
};

/** Targets of the issue, per adapter: throughput ratio to (a), p99 ratio to (a), loop delay p99. */
export const WEBHOOK_TARGETS = {
  throughputRatio: { express: 0.85, fastify: 0.75 },
  p99Ratio: 1.5,
  loopDelayP99Ms: 20,
  fixedRate: 2000,
} as const;

/** How long and how often to measure. */
export interface WebhookBenchPlan {
  /** The scenarios run on each adapter; (a) must be among them for the ratios. */
  readonly scenarios: Readonly<Record<BenchAdapter, readonly ScenarioName[]>>;
  /** Measured rounds; each round runs every scenario once, in a rotated order. */
  readonly rounds: number;
  /** Load each app takes once before the rounds, not measured. */
  readonly warmupSeconds: number;
  /** Measured load of one scenario in one round. */
  readonly seconds: number;
  readonly connections: number;
  /** Scenarios whose event-loop delay is measured under the fixed-rate load. */
  readonly loopDelayScenarios: readonly ScenarioName[];
  readonly loopDelaySeconds: number;
  /** Write a CPU profile of every app process into this folder. */
  readonly profileDir?: string;
}

/** One measured run. */
export interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** CPU time (user + system) the app process spent per answered request. */
  readonly appCpuMicrosPerRequest: number;
}

/** Event-loop delay of an app under the fixed-rate load. */
export interface LoopDelayFigures {
  readonly achievedRate: number;
  readonly latencyP99Ms: number;
  readonly loopP50Ms: number;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  readonly rssMb: number;
}

/** Everything measured for one scenario on one adapter. */
export interface ScenarioFigures {
  readonly adapter: BenchAdapter;
  readonly scenario: ScenarioName;
  readonly rounds: readonly LoadFigures[];
  readonly median: LoadFigures;
  /** Median over rounds of (this scenario's req/s ÷ the bare route's req/s in the same round). */
  readonly throughputRatio?: number;
  /** First and third quartiles of those per-round ratios: how much the machine moved them. */
  readonly throughputRatioQuartiles?: readonly [number, number];
  /** This scenario's median p99 ÷ the bare route's median p99. */
  readonly p99Ratio?: number;
  /** This scenario's median app CPU per request minus the bare route's: what the module costs per event. */
  readonly appCpuOverBareMicros?: number;
  readonly loopDelay?: LoopDelayFigures;
}

type BenchApp = AppProcess<AppRequest, AppReply>;

const APP_ENTRY = new URL('./webhook-app.process.ts', import.meta.url);

/** One load run: autocannon's result, and the latencies of the 2xx answers at microsecond resolution. */
interface LoadRun {
  readonly result: autocannon.Result;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function load(
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

const figuresOf = ({ result, p50Ms, p99Ms }: LoadRun, appCpuMicros: number): LoadFigures => ({
  requestsPerSecond: result['2xx'] / result.duration,
  p50Ms,
  p99Ms,
  requests: result['2xx'],
  appCpuMicrosPerRequest: appCpuMicros / result['2xx'],
});

async function appCpuMicros(app: BenchApp): Promise<number> {
  const reading = await app.request({ type: 'cpu-read' });
  if (reading.type !== 'cpu') throw new Error(`expected a cpu reading, got ${reading.type}`);
  return reading.micros;
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

async function startApps(adapter: BenchAdapter, plan: WebhookBenchPlan) {
  // Booted side by side (boot is mostly waiting on module loading), checked one after the other.
  const started = await Promise.all(
    plan.scenarios[adapter].map(async (scenario) => {
      const { process, ready } = await AppProcess.start<AppRequest, AppReply>(
        APP_ENTRY,
        [adapter, scenario],
        {
          profileDir: plan.profileDir,
        },
      );
      if (ready.type !== 'ready') throw new Error(`${scenario} app sent ${ready.type} instead of ready`);
      return [scenario, { app: process, url: `http://127.0.0.1:${ready.port}${ready.path}` }] as const;
    }),
  );
  const apps = new Map<ScenarioName, { app: BenchApp; url: string }>(started);
  for (const [scenario, { url }] of apps) await preflight(url, scenario);
  return apps;
}

async function measureLoopDelay(
  app: BenchApp,
  url: string,
  plan: WebhookBenchPlan,
): Promise<LoopDelayFigures> {
  const mix = new PayloadMix();
  await load(url, mix, 1, plan.connections, WEBHOOK_TARGETS.fixedRate);
  await app.request({ type: 'loop-delay-reset' });
  const { result, p99Ms } = await load(
    url,
    mix,
    plan.loopDelaySeconds,
    plan.connections,
    WEBHOOK_TARGETS.fixedRate,
  );
  const reading = await app.request({ type: 'loop-delay-read' });
  if (reading.type !== 'loop-delay') throw new Error(`expected a loop-delay reading, got ${reading.type}`);
  return {
    achievedRate: result['2xx'] / result.duration,
    latencyP99Ms: p99Ms,
    loopP50Ms: reading.p50Ms,
    loopP99Ms: reading.p99Ms,
    loopMaxMs: reading.maxMs,
    rssMb: reading.rssBytes / 2 ** 20,
  };
}

async function benchAdapter(adapter: BenchAdapter, plan: WebhookBenchPlan): Promise<ScenarioFigures[]> {
  const scenarios = plan.scenarios[adapter];
  const apps = await startApps(adapter, plan);
  try {
    const mixes = new Map(scenarios.map((scenario) => [scenario, new PayloadMix()]));
    for (const scenario of scenarios) {
      await load(apps.get(scenario)!.url, mixes.get(scenario)!, plan.warmupSeconds, plan.connections);
    }
    const rounds = new Map<ScenarioName, LoadFigures[]>(scenarios.map((scenario) => [scenario, []]));
    for (let round = 0; round < plan.rounds; round++) {
      // Rotate the order so that a slow drift of the machine does not always penalise the same scenario.
      const order = scenarios.map((_, index) => scenarios[(index + round) % scenarios.length]!);
      for (const scenario of order) {
        const { app, url } = apps.get(scenario)!;
        const mix = mixes.get(scenario)!;
        const cpuBefore = await appCpuMicros(app);
        const result = await load(url, mix, plan.seconds, plan.connections);
        const figures = figuresOf(result, (await appCpuMicros(app)) - cpuBefore);
        rounds.get(scenario)!.push(figures);
        console.log(
          `  ${adapter.padEnd(7)} round ${round + 1}/${plan.rounds} ${SCENARIO_LABELS[scenario].padEnd(32)} ` +
            `${fixed(figures.requestsPerSecond, 0).padStart(6)} req/s  p50 ${fixed(figures.p50Ms, 2)} ms  p99 ${fixed(figures.p99Ms, 2)} ms  ` +
            `app CPU ${fixed(figures.appCpuMicrosPerRequest, 1)} µs/req`,
        );
      }
    }

    const loopDelays = new Map<ScenarioName, LoopDelayFigures>();
    for (const scenario of plan.loopDelayScenarios.filter((name) => scenarios.includes(name))) {
      const { app, url } = apps.get(scenario)!;
      loopDelays.set(scenario, await measureLoopDelay(app, url, plan));
    }

    const bare = rounds.get('bare');
    return scenarios.map((scenario) => {
      const own = rounds.get(scenario)!;
      const summary: LoadFigures = {
        requestsPerSecond: median(own.map((figures) => figures.requestsPerSecond)),
        p50Ms: median(own.map((figures) => figures.p50Ms)),
        p99Ms: median(own.map((figures) => figures.p99Ms)),
        requests: own.reduce((sum, figures) => sum + figures.requests, 0),
        appCpuMicrosPerRequest: median(own.map((figures) => figures.appCpuMicrosPerRequest)),
      };
      const compared = bare && scenario !== 'bare';
      const ratios = compared
        ? own.map((figures, round) => figures.requestsPerSecond / bare[round]!.requestsPerSecond)
        : [];
      return {
        adapter,
        scenario,
        rounds: own,
        median: summary,
        throughputRatio: compared ? median(ratios) : undefined,
        throughputRatioQuartiles: compared ? [quantile(ratios, 0.25), quantile(ratios, 0.75)] : undefined,
        p99Ratio: compared ? summary.p99Ms / median(bare.map((figures) => figures.p99Ms)) : undefined,
        appCpuOverBareMicros: compared
          ? summary.appCpuMicrosPerRequest - median(bare.map((figures) => figures.appCpuMicrosPerRequest))
          : undefined,
        loopDelay: loopDelays.get(scenario),
      };
    });
  } finally {
    for (const { app } of apps.values()) await app.close({ type: 'close' });
  }
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

/** Prints the throughput and loop-delay tables of one run. */
export function printWebhookFigures(figures: readonly ScenarioFigures[]): void {
  console.log('\nWebhook pipeline: medians over rounds (ratios are paired per round)');
  printTable(
    [
      'adapter / scenario',
      'req/s',
      'p50 ms',
      'p99 ms',
      'app CPU µs/req',
      'x-a CPU µs',
      'x/a req/s',
      'q1-q3',
      'x/a p99',
      'targets',
    ],
    figures.map((row) => {
      const target = WEBHOOK_TARGETS.throughputRatio[row.adapter];
      // The targets are those of (b); (c) and (d) are printed for comparison.
      const checks =
        row.scenario === 'bare'
          ? 'baseline'
          : row.scenario !== 'memory' || row.throughputRatio === undefined || row.p99Ratio === undefined
            ? '-'
            : `>=${target}: ${verdict(row.throughputRatio >= target)}, p99<=1.5x: ${verdict(row.p99Ratio <= WEBHOOK_TARGETS.p99Ratio)}`;
      return [
        `${row.adapter} ${SCENARIO_LABELS[row.scenario]}`,
        fixed(row.median.requestsPerSecond, 0),
        fixed(row.median.p50Ms, 2),
        fixed(row.median.p99Ms, 2),
        fixed(row.median.appCpuMicrosPerRequest, 1),
        row.appCpuOverBareMicros === undefined ? '-' : fixed(row.appCpuOverBareMicros, 1),
        row.throughputRatio === undefined ? '-' : fixed(row.throughputRatio),
        row.throughputRatioQuartiles === undefined
          ? '-'
          : row.throughputRatioQuartiles.map((ratio) => fixed(ratio)).join('-'),
        row.p99Ratio === undefined ? '-' : fixed(row.p99Ratio),
        checks,
      ];
    }),
  );

  console.log(
    'app CPU µs/req: user + system CPU time of the app process per answered request; x-a: what the scenario adds ' +
      'to the bare route per request; q1-q3: quartiles of the per-round x/a req/s.',
  );

  const delayed = figures.filter((row) => row.loopDelay);
  if (delayed.length === 0) return;
  console.log(
    `\nEvent-loop delay in the app process under a fixed ${WEBHOOK_TARGETS.fixedRate} events/s load (how late a 10 ms timer ran)`,
  );
  printTable(
    [
      'adapter / scenario',
      'achieved/s',
      'req p99 ms',
      'loop p50 ms',
      'loop p99 ms',
      'loop max ms',
      'RSS MB',
      'target',
    ],
    delayed.map(({ adapter, scenario, loopDelay }) => [
      `${adapter} ${SCENARIO_LABELS[scenario]}`,
      fixed(loopDelay!.achievedRate, 0),
      fixed(loopDelay!.latencyP99Ms, 2),
      fixed(loopDelay!.loopP50Ms),
      fixed(loopDelay!.loopP99Ms),
      fixed(loopDelay!.loopMaxMs),
      fixed(loopDelay!.rssMb, 0),
      `<${WEBHOOK_TARGETS.loopDelayP99Ms} ms: ${verdict(loopDelay!.loopP99Ms < WEBHOOK_TARGETS.loopDelayP99Ms)}`,
    ]),
  );
}

/** Runs every scenario on every adapter, one app process each, and returns the figures. */
export async function runWebhookBench(plan: WebhookBenchPlan): Promise<ScenarioFigures[]> {
  const figures: ScenarioFigures[] = [];
  for (const adapter of BENCH_ADAPTERS) figures.push(...(await benchAdapter(adapter, plan)));
  return figures;
}
