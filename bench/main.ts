// `npm run bench` (full), `npm run bench -- --quick` (the CI smoke), `npm run bench:compare` (the webhook against the
// previous main, in the same run): see bench/README.md.
import { Redis } from 'ioredis';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { printWebhookFigures, runWebhookBench, type WebhookBenchPlan } from './webhook/webhook.bench.js';
import {
  printWebhookCompareFigures,
  runWebhookCompare,
  type CompareScenario,
  type WebhookComparePlan,
} from './webhook/webhook-compare.bench.js';
import { BENCH_ADAPTERS, type BenchAdapter, type ScenarioName } from './webhook/webhook-ipc.js';
import { baselineCommit, checkoutBaseline, currentSource } from './support/baseline-source.js';
import { printMemoryFigures, runMemoryBench } from './memory/idempotency-memory.bench.js';
import { printClientFigures, runClientBench } from './client/api-client.bench.js';
import { printParseCostFigures, runParseCostBench } from './webhook/parse-cost.bench.js';

const BENCHES = ['parse', 'webhook', 'memory', 'client'] as const;
type BenchName = (typeof BENCHES)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    profile: { type: 'boolean', default: false },
    // The webhook part only:
    compare: { type: 'string' },
    adapter: { type: 'string', multiple: true },
    scenario: { type: 'string', multiple: true },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
  },
});

/** Stops with a message naming the bad option (exit code 2: a usage error, not a harness failure). */
function usageError(message: string): never {
  console.error(`npm run bench: ${message}`);
  process.exit(2);
}

function oneOf<T extends string>(option: string, given: readonly string[], allowed: readonly T[]): T[] {
  for (const value of given) {
    if (!allowed.includes(value as T)) {
      usageError(`--${option} ${value}: expected one of ${allowed.join(', ')}`);
    }
  }
  return given as T[];
}

function positiveInteger(option: string, given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const value = Number(given);
  if (!Number.isInteger(value) || value < 1)
    usageError(`--${option} ${given}: expected a whole number, at least 1`);
  return value;
}

const RESULTS_DIR = new URL('../.bench-results/', import.meta.url);
const selected = new Set<BenchName>((values.only as BenchName[] | undefined) ?? BENCHES);
const quick = values.quick ?? false;
const ALL_SCENARIOS: ScenarioName[] = ['bare', 'memory', 'redis', 'inbox'];
const WEBHOOK_SCENARIOS: CompareScenario[] = ['memory', 'redis', 'inbox'];
for (const name of selected)
  if (!BENCHES.includes(name)) usageError(`--only ${name}: expected one of ${BENCHES.join(', ')}`);
const adapters = values.adapter ? oneOf('adapter', values.adapter, BENCH_ADAPTERS) : [...BENCH_ADAPTERS];
const chosenScenarios = values.scenario ? oneOf('scenario', values.scenario, WEBHOOK_SCENARIOS) : undefined;
const rounds = positiveInteger('rounds', values.rounds);
const seconds = positiveInteger('seconds', values.seconds);
if (values.compare !== undefined) {
  try {
    baselineCommit(values.compare);
  } catch (error) {
    usageError((error as Error).message);
  }
}

const defaultPlan: WebhookBenchPlan = quick
  ? {
      // Every scenario once (on Fastify), the baseline and the webhook on both adapters: the harness is exercised end
      // to end within the CI smoke's minute.
      scenarios: { express: ['bare', 'memory'], fastify: ALL_SCENARIOS },
      rounds: 1,
      warmupSeconds: 1,
      seconds: 1,
      connections: 10,
      loopDelayScenarios: ['memory'],
      loopDelaySeconds: 1,
    }
  : {
      // Many short rounds rather than a few long ones: on a shared VM the same app's CPU cost per request moved by 2x
      // within seconds, so a ratio is only as good as the number of rounds that pair each scenario with the bare
      // route measured just before or after it.
      scenarios: { express: ALL_SCENARIOS, fastify: ALL_SCENARIOS },
      rounds: 12,
      warmupSeconds: 2,
      seconds: 2,
      connections: 10,
      loopDelayScenarios: ALL_SCENARIOS,
      loopDelaySeconds: 5,
    };

/** The default plan narrowed to the adapters and scenarios asked for, with the rounds and seconds asked for. */
function webhookPlan(): WebhookBenchPlan {
  const keep = (adapter: BenchAdapter): ScenarioName[] =>
    !adapters.includes(adapter)
      ? []
      : chosenScenarios
        ? ['bare', ...chosenScenarios]
        : [...defaultPlan.scenarios[adapter]];
  return {
    ...defaultPlan,
    scenarios: { express: keep('express'), fastify: keep('fastify') },
    loopDelayScenarios: defaultPlan.loopDelayScenarios.filter(
      (name) => name === 'bare' || !chosenScenarios || chosenScenarios.includes(name),
    ),
    rounds: rounds ?? defaultPlan.rounds,
    seconds: seconds ?? defaultPlan.seconds,
  };
}

/** Whether Redis answers on 127.0.0.1:6379, which scenarios (c) and (d) need. */
async function redisIsUp(): Promise<boolean> {
  const redis = new Redis({
    host: '127.0.0.1',
    port: 6379,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The plan without the Redis scenarios, when there is no Redis to run them against. */
function withoutRedis(webhookPlan: WebhookBenchPlan): WebhookBenchPlan {
  const local = (names: readonly ScenarioName[]) =>
    names.filter((name) => name === 'bare' || name === 'memory');
  return {
    ...webhookPlan,
    scenarios: {
      express: local(webhookPlan.scenarios.express),
      fastify: local(webhookPlan.scenarios.fastify),
    },
    loopDelayScenarios: local(webhookPlan.loopDelayScenarios),
  };
}

/**
 * The webhook of this checkout against the one of `ref`, in the same run: the baseline's package source is copied out
 * of the repository into a temporary folder for the run's duration.
 */
async function compareWebhook(ref: string, profileDir: string | undefined): Promise<unknown> {
  const scenarios = chosenScenarios ?? ['memory'];
  const redisUp = scenarios.every((name) => name === 'memory') || (await redisIsUp());
  const runnable = redisUp ? scenarios : scenarios.filter((name) => name === 'memory');
  if (!redisUp) console.log('  ! no Redis on 127.0.0.1:6379: scenarios (c) and (d) skipped');
  if (runnable.length === 0) usageError('--compare: no scenario left to run without Redis');

  const baseline = checkoutBaseline(ref);
  const interrupted = () => {
    baseline.remove();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const plan: WebhookComparePlan = {
      adapters,
      scenarios: runnable,
      // Short rounds, many of them, as in the plain webhook part; a multiple of 6 runs every order of the three apps
      // equally often.
      rounds: rounds ?? (quick ? 4 : 12),
      warmupSeconds: quick ? 1 : 2,
      seconds: seconds ?? (quick ? 1 : 2),
      connections: 10,
      current: currentSource(),
      baseline,
      profileDir,
    };
    console.log(
      `\nWebhook, ${plan.current.label} against ${baseline.label} (${ref}, source copied to ${baseline.directory}): ` +
        `${plan.rounds} rounds of ${plan.seconds} s, ${plan.adapters.join(' and ')}, ${plan.scenarios.join(', ')}`,
    );
    const figures = await runWebhookCompare(plan);
    printWebhookCompareFigures(plan, figures);
    const { current } = plan;
    return {
      ref,
      baseline: { label: baseline.label, commit: baseline.commit },
      current: { label: current.label, commit: current.commit },
      rounds: plan.rounds,
      seconds: plan.seconds,
      figures,
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    baseline.remove();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const profileDir = values.profile ? new URL('profiles/', RESULTS_DIR).pathname : undefined;
  console.log(
    `nestjs-pathors bench (${quick ? 'quick smoke' : 'full'}` +
      `${values.compare === undefined ? '' : `, webhook against ${values.compare}`}): Node ${process.version}, ${cpus().length} CPU ` +
      `(${cpus()[0]?.model ?? 'unknown'})${profileDir ? `, CPU profiles in ${profileDir}` : ''}`,
  );
  const report: Record<string, unknown> = {
    startedAt: new Date(started).toISOString(),
    quick,
    node: process.version,
  };

  if (selected.has('parse')) {
    const figures = await runParseCostBench(quick ? 2_000 : 14_000, quick ? 3 : 7);
    printParseCostFigures(figures);
    report.parse = figures;
  }

  if (selected.has('webhook') && values.compare !== undefined) {
    report.webhookCompare = await compareWebhook(values.compare, profileDir);
  } else if (selected.has('webhook')) {
    console.log('\nWebhook pipeline (autocannon, one app process per scenario):');
    const plan = webhookPlan();
    const redisUp = await redisIsUp();
    if (!redisUp) console.log('  ! no Redis on 127.0.0.1:6379: scenarios (c) and (d) skipped');
    const figures = await runWebhookBench({ ...(redisUp ? plan : withoutRedis(plan)), profileDir });
    printWebhookFigures(figures);
    report.webhook = figures;
  }

  if (selected.has('memory')) {
    const deliveries = quick ? 200_000 : 1_000_000;
    console.log(`\nIn-memory idempotency store: ${deliveries} distinct deliveries, driven in-process`);
    const figures = await runMemoryBench(deliveries, quick ? 50_000 : 100_000);
    printMemoryFigures(figures);
    report.memory = figures;
  }

  if (selected.has('client')) {
    console.log('\nAPI client vs raw fetch (keep-alive), against the Pathors simulator:');
    const figures = await runClientBench(
      quick
        ? { rounds: 1, seconds: 1, concurrency: 10, streams: 20 }
        : { rounds: 4, seconds: 4, concurrency: 10, streams: 200 },
    );
    printClientFigures(figures);
    report.client = figures;
  }

  const file = new URL(
    `${values.compare !== undefined ? 'compare-' : ''}${quick ? 'quick' : 'full'}-${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`,
    RESULTS_DIR,
  );
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(0)} s; figures saved to ${file.pathname}`);
}

main().catch((error: unknown) => {
  console.error('The benchmark harness failed:', error);
  process.exit(1);
});
