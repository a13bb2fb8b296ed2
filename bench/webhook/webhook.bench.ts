// The webhook's cost over HTTP: (a) a bare Nest route against (b)-(d) the module's webhook, on Express and Fastify, in
// rounds that run every scenario once; ratios paired per round. `--compare <ref>` is webhook-compare.bench.ts.
import { fixed, median, printTable, quantile } from '../support/stats.js';
import { PayloadMix } from './payload-mix.js';
import {
  SCENARIO_LABELS,
  WEBHOOK_TARGETS,
  checkApp,
  closeApps,
  describeRun,
  load,
  measure,
  medianFigures,
  startApp,
  type BenchApp,
  type LoadFigures,
  type RunningApp,
} from './webhook-harness.js';
import { BENCH_ADAPTERS, type BenchAdapter, type ScenarioName } from './webhook-ipc.js';

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

async function startApps(
  adapter: BenchAdapter,
  plan: WebhookBenchPlan,
): Promise<Map<ScenarioName, RunningApp>> {
  // Booted side by side (boot is mostly waiting on module loading), checked one after the other.
  const started = await Promise.all(
    plan.scenarios[adapter].map(
      async (scenario) =>
        [scenario, await startApp(adapter, scenario, { profileDir: plan.profileDir })] as const,
    ),
  );
  const apps = new Map<ScenarioName, RunningApp>(started);
  for (const [scenario, app] of apps) await checkApp(app, scenario);
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
        const figures = await measure(
          apps.get(scenario)!,
          mixes.get(scenario)!,
          plan.seconds,
          plan.connections,
        );
        rounds.get(scenario)!.push(figures);
        console.log(
          `  ${adapter.padEnd(7)} round ${round + 1}/${plan.rounds} ${SCENARIO_LABELS[scenario].padEnd(32)} ` +
            describeRun(figures),
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
      const summary = medianFigures(own);
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
    await closeApps(apps.values());
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
      'Redis cmds/req',
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
        fixed(row.median.redisCommandsPerRequest, 2),
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
      'to the bare route per request; Redis cmds/req: commands (round trips, a script counting as one) the app sent ' +
      'per answered request; q1-q3: quartiles of the per-round x/a req/s.',
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
  for (const adapter of BENCH_ADAPTERS) {
    if (plan.scenarios[adapter].length > 0) figures.push(...(await benchAdapter(adapter, plan)));
  }
  return figures;
}
