// `--compare <ref>`: the webhook of this checkout against the webhook of another commit, in the same run. Each round
// measures, per adapter and scenario, the bare route, the current webhook and the baseline webhook back to back, in an
// order that changes from round to round, so both versions' ratios are paired with a bare-route run seconds away.
import type { PackageSource } from '../support/baseline-source.js';
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
  type LoadFigures,
  type RunningApp,
} from './webhook-harness.js';
import type { BenchAdapter, ScenarioName } from './webhook-ipc.js';

/** A webhook scenario, (b) to (d): what both versions run. */
export type CompareScenario = Exclude<ScenarioName, 'bare'>;

/** How long and how often to compare, and what. */
export interface WebhookComparePlan {
  readonly adapters: readonly BenchAdapter[];
  readonly scenarios: readonly CompareScenario[];
  /** Measured rounds; each runs, per adapter and scenario, the bare route and both webhooks once. */
  readonly rounds: number;
  /** Load each app takes once before the rounds, not measured. */
  readonly warmupSeconds: number;
  /** Measured load of one app in one round. */
  readonly seconds: number;
  readonly connections: number;
  /** This checkout's package source. */
  readonly current: PackageSource;
  /** The package source compared against. */
  readonly baseline: PackageSource;
  /** Write a CPU profile of every app process into this folder. */
  readonly profileDir?: string;
}

/** One version's figures for one adapter and scenario. */
export interface VersionFigures {
  readonly label: string;
  readonly commit: string;
  readonly rounds: readonly LoadFigures[];
  readonly median: LoadFigures;
  /** Median over rounds of (this version's req/s ÷ the bare route's req/s in the same round). */
  readonly throughputRatio: number;
  /** First and third quartiles of those per-round ratios. */
  readonly throughputRatioQuartiles: readonly [number, number];
  /** This version's median p99 ÷ the bare route's median p99 (over the same rounds). */
  readonly p99Ratio: number;
  /** This version's median app CPU per request minus the bare route's: what the module costs per event. */
  readonly appCpuOverBareMicros: number;
}

/** Current against baseline for one adapter and scenario. */
export interface ComparedFigures {
  readonly adapter: BenchAdapter;
  readonly scenario: CompareScenario;
  readonly bare: { readonly rounds: readonly LoadFigures[]; readonly median: LoadFigures };
  readonly baseline: VersionFigures;
  readonly current: VersionFigures;
  /** Current ÷ baseline. */
  readonly currentOverBaseline: {
    /** Median over rounds of (current req/s ÷ baseline req/s in the same round). */
    readonly throughputRatio: number;
    readonly throughputRatioQuartiles: readonly [number, number];
    /** Current median p99 ÷ baseline median p99. */
    readonly p99Ratio: number;
    /** Current median app CPU per request ÷ baseline's. */
    readonly appCpuRatio: number;
  };
}

type Contender = 'bare' | 'current' | 'baseline';
const CONTENDERS: readonly Contender[] = ['bare', 'current', 'baseline'];

/**
 * The order of the three runs in round r is ORDERS[r % 6]: every permutation once, each followed by its reverse, so a
 * steady drift of the machine cancels over every two rounds and, over six, each app runs in each place twice and
 * after each other app alike.
 */
const ORDERS: ReadonlyArray<readonly number[]> = [
  [0, 1, 2],
  [2, 1, 0],
  [1, 2, 0],
  [0, 2, 1],
  [2, 0, 1],
  [1, 0, 2],
];

/** The order of the bare route, the current and the baseline webhook in a round (0-based). */
export function contendersOfRound(round: number): Contender[] {
  return ORDERS[round % ORDERS.length]!.map((index) => CONTENDERS[index]!);
}

const quartiles = (values: readonly number[]): [number, number] => [
  quantile(values, 0.25),
  quantile(values, 0.75),
];

function versionFigures(
  source: PackageSource,
  own: readonly LoadFigures[],
  bare: readonly LoadFigures[],
): VersionFigures {
  const summary = medianFigures(own);
  const bareSummary = medianFigures(bare);
  const ratios = own.map((figures, round) => figures.requestsPerSecond / bare[round]!.requestsPerSecond);
  return {
    label: source.label,
    commit: source.commit,
    rounds: own,
    median: summary,
    throughputRatio: median(ratios),
    throughputRatioQuartiles: quartiles(ratios),
    p99Ratio: summary.p99Ms / bareSummary.p99Ms,
    appCpuOverBareMicros: summary.appCpuMicrosPerRequest - bareSummary.appCpuMicrosPerRequest,
  };
}

interface ScenarioApps {
  readonly current: RunningApp;
  readonly baseline: RunningApp;
}

async function startAdapterApps(adapter: BenchAdapter, plan: WebhookComparePlan) {
  const options = (source: PackageSource) => ({
    profileDir: plan.profileDir,
    librarySource: source.librarySource,
  });
  // Booted side by side (boot is mostly waiting on module loading), checked one after the other.
  const [bare, ...pairs] = await Promise.all([
    startApp(adapter, 'bare', { profileDir: plan.profileDir }),
    ...plan.scenarios.map(async (scenario) => {
      const [current, baseline] = await Promise.all([
        startApp(adapter, scenario, options(plan.current)),
        startApp(adapter, scenario, options(plan.baseline)),
      ]);
      return [scenario, { current, baseline }] as const;
    }),
  ]);
  const webhooks = new Map<CompareScenario, ScenarioApps>(pairs);
  const all = [bare, ...[...webhooks.values()].flatMap(({ current, baseline }) => [current, baseline])];
  try {
    await checkApp(bare, 'bare');
    for (const [scenario, { current, baseline }] of webhooks) {
      await checkApp(current, scenario);
      await checkApp(baseline, scenario);
    }
  } catch (error) {
    await closeApps(all);
    throw error;
  }
  return { bare, webhooks, all };
}

/**
 * Boots and closes one app per version before anything is measured, so that every measured app process loads its
 * transpiled sources from the cache and none carries the TypeScript compiler in its heap (the baseline's source is
 * copied out anew each run, so its files are never cached yet).
 */
async function primeTranspileCache(plan: WebhookComparePlan): Promise<void> {
  for (const source of [plan.current, plan.baseline]) {
    const app = await startApp(plan.adapters[0]!, 'bare', { librarySource: source.librarySource });
    await closeApps([app]);
  }
}

async function compareAdapter(adapter: BenchAdapter, plan: WebhookComparePlan): Promise<ComparedFigures[]> {
  const { bare, webhooks, all } = await startAdapterApps(adapter, plan);
  try {
    const mixes = new Map(all.map((app) => [app, new PayloadMix()]));
    for (const app of all) await load(app.url, mixes.get(app)!, plan.warmupSeconds, plan.connections);

    const rounds = new Map(
      plan.scenarios.map((scenario) => [
        scenario,
        { bare: [] as LoadFigures[], current: [] as LoadFigures[], baseline: [] as LoadFigures[] },
      ]),
    );
    for (let round = 0; round < plan.rounds; round++) {
      for (const [scenario, versions] of webhooks) {
        for (const contender of contendersOfRound(round)) {
          const app = contender === 'bare' ? bare : versions[contender];
          const figures = await measure(app, mixes.get(app)!, plan.seconds, plan.connections);
          rounds.get(scenario)![contender].push(figures);
          const who =
            contender === 'bare'
              ? SCENARIO_LABELS.bare
              : `${SCENARIO_LABELS[scenario]}, ${plan[contender].label}`;
          console.log(
            `  ${adapter.padEnd(7)} round ${round + 1}/${plan.rounds} ${who.padEnd(50)} ${describeRun(figures)}`,
          );
        }
      }
    }

    return plan.scenarios.map((scenario) => {
      const measured = rounds.get(scenario)!;
      const current = versionFigures(plan.current, measured.current, measured.bare);
      const baseline = versionFigures(plan.baseline, measured.baseline, measured.bare);
      const perRound = measured.current.map(
        (figures, round) => figures.requestsPerSecond / measured.baseline[round]!.requestsPerSecond,
      );
      return {
        adapter,
        scenario,
        bare: { rounds: measured.bare, median: medianFigures(measured.bare) },
        baseline,
        current,
        currentOverBaseline: {
          throughputRatio: median(perRound),
          throughputRatioQuartiles: quartiles(perRound),
          p99Ratio: current.median.p99Ms / baseline.median.p99Ms,
          appCpuRatio: current.median.appCpuMicrosPerRequest / baseline.median.appCpuMicrosPerRequest,
        },
      };
    });
  } finally {
    await closeApps(all);
  }
}

/** Runs the comparison on every adapter of the plan and returns the figures. */
export async function runWebhookCompare(plan: WebhookComparePlan): Promise<ComparedFigures[]> {
  await primeTranspileCache(plan);
  const figures: ComparedFigures[] = [];
  for (const adapter of plan.adapters) figures.push(...(await compareAdapter(adapter, plan)));
  return figures;
}

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
const withQuartiles = (ratio: number, [q1, q3]: readonly [number, number]): string =>
  `${fixed(ratio)} (${fixed(q1)}-${fixed(q3)})`;

/** Whether a version's (b) meets the throughput and p99 targets; '-' for (c) and (d), which have none. */
function targetsOf(adapter: BenchAdapter, scenario: CompareScenario, version: VersionFigures): string {
  if (scenario !== 'memory') return '-';
  const target = WEBHOOK_TARGETS.throughputRatio[adapter];
  return (
    `>=${target}: ${verdict(version.throughputRatio >= target)}, ` +
    `p99<=${WEBHOOK_TARGETS.p99Ratio}x: ${verdict(version.p99Ratio <= WEBHOOK_TARGETS.p99Ratio)}`
  );
}

/** Prints the per-version medians, then the before/after table. */
export function printWebhookCompareFigures(
  plan: WebhookComparePlan,
  figures: readonly ComparedFigures[],
): void {
  const before = plan.baseline.label;
  const after = plan.current.label;
  console.log(
    `\nWebhook, ${before} against ${after}: ${plan.rounds} rounds of ${plan.seconds} s, medians; ` +
      'x/a ratios paired per round with the bare route run beside them',
  );
  printTable(
    [
      'adapter / scenario',
      'code',
      'req/s',
      'p50 ms',
      'p99 ms',
      'app CPU µs/req',
      'x-a CPU µs',
      'x/a req/s (q1-q3)',
      'x/a p99',
      'targets',
    ],
    figures.flatMap((row) => [
      [
        `${row.adapter} ${SCENARIO_LABELS.bare}`,
        '-',
        fixed(row.bare.median.requestsPerSecond, 0),
        fixed(row.bare.median.p50Ms),
        fixed(row.bare.median.p99Ms),
        fixed(row.bare.median.appCpuMicrosPerRequest, 1),
        '-',
        '-',
        '-',
        'baseline of the ratios',
      ],
      ...[row.baseline, row.current].map((version) => [
        `${row.adapter} ${SCENARIO_LABELS[row.scenario]}`,
        version.label,
        fixed(version.median.requestsPerSecond, 0),
        fixed(version.median.p50Ms),
        fixed(version.median.p99Ms),
        fixed(version.median.appCpuMicrosPerRequest, 1),
        fixed(version.appCpuOverBareMicros, 1),
        withQuartiles(version.throughputRatio, version.throughputRatioQuartiles),
        fixed(version.p99Ratio),
        targetsOf(row.adapter, row.scenario, version),
      ]),
    ]),
  );

  console.log(`\nBefore/after: before = ${before}, after = ${after}`);
  printTable(
    [
      'adapter / scenario',
      'x/a req/s before',
      'x/a req/s after',
      'x/a p99 before',
      'x/a p99 after',
      'CPU µs/req before',
      'CPU µs/req after',
      'after/before req/s',
      'after/before p99',
      'after/before CPU',
    ],
    figures.map((row) => [
      `${row.adapter} ${SCENARIO_LABELS[row.scenario]}`,
      withQuartiles(row.baseline.throughputRatio, row.baseline.throughputRatioQuartiles),
      withQuartiles(row.current.throughputRatio, row.current.throughputRatioQuartiles),
      fixed(row.baseline.p99Ratio),
      fixed(row.current.p99Ratio),
      fixed(row.baseline.median.appCpuMicrosPerRequest, 1),
      fixed(row.current.median.appCpuMicrosPerRequest, 1),
      withQuartiles(
        row.currentOverBaseline.throughputRatio,
        row.currentOverBaseline.throughputRatioQuartiles,
      ),
      fixed(row.currentOverBaseline.p99Ratio),
      fixed(row.currentOverBaseline.appCpuRatio),
    ]),
  );
  console.log(
    'x/a: the webhook ÷ the bare route (a); (q1-q3): quartiles of the per-round ratios; CPU µs/req: user + system ' +
      'CPU time of the app process per answered request (median); after/before req/s: current ÷ baseline paired ' +
      'per round.',
  );
}
