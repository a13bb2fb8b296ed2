import { AppProcess } from '../support/app-process.js';
import { fixed, printTable } from '../support/stats.js';
import type { MemoryReading, MemoryReply, MemoryRequest } from './memory-ipc.js';

/** The store's own memory at its default cap must stay below this. */
export const STORE_TARGET_MB = 100;
const MB = 2 ** 20;

/** RSS and heap after each step of deliveries. */
export interface MemoryFigures {
  readonly cap: number;
  readonly start: MemoryReading;
  readonly steps: ReadonlyArray<{ deliveries: number } & MemoryReading>;
  /** Memory held by the store once full, heap and array buffers (last reading minus the start). */
  readonly storeMemoryMb: number;
  /**
   * RSS growth from the first reading at or past twice the cap to the last one: once the store is full, every new
   * delivery evicts the oldest, and the process must not grow (the first evictions still move the allocator's
   * high-water mark, hence twice the cap).
   */
  readonly rssGrowthAfterCapMb: number;
}

/** Runs `deliveries` distinct deliveries through the default in-memory store in a fresh process. */
export async function runMemoryBench(deliveries: number, every: number): Promise<MemoryFigures> {
  const { process: child } = await AppProcess.start<MemoryRequest, MemoryReply>(
    new URL('./idempotency-memory.process.ts', import.meta.url),
    [],
    { nodeOptions: ['--expose-gc'] },
  );
  const replies: MemoryReply[] = [];
  child.onMessage((reply) => {
    replies.push(reply);
    if (reply.type === 'progress') {
      console.log(
        `  ${String(reply.deliveries).padStart(9)} deliveries  RSS ${fixed(reply.rssBytes / MB, 1)} MB`,
      );
    }
  });
  child.post({ type: 'run', deliveries, every });
  const code = await child.exit;
  if (code !== 0) throw new Error(`the memory benchmark process exited with code ${String(code)}`);

  const start = replies.find((reply) => reply.type === 'start')!;
  const steps = replies.filter((reply) => reply.type === 'progress');
  const atCap = steps.find((step) => step.deliveries >= 2 * start.cap) ?? steps.at(-1)!;
  const last = steps.at(-1)!;
  return {
    cap: start.cap,
    start,
    steps,
    storeMemoryMb: (last.heapAndBuffersBytes - start.heapAndBuffersBytes) / MB,
    rssGrowthAfterCapMb: (last.rssBytes - atCap.rssBytes) / MB,
  };
}

/** Prints the readings and the verdicts. */
export function printMemoryFigures(figures: MemoryFigures): void {
  console.log(`\nIn-memory idempotency store (default cap ${figures.cap} events), readings after a full GC`);
  printTable(
    ['deliveries', 'RSS MB', 'heap + buffers MB', 'store MB'],
    [{ deliveries: 0, ...figures.start }, ...figures.steps].map((step) => [
      String(step.deliveries),
      fixed(step.rssBytes / MB, 1),
      fixed(step.heapAndBuffersBytes / MB, 1),
      fixed((step.heapAndBuffersBytes - figures.start.heapAndBuffersBytes) / MB, 1),
    ]),
  );
  const flat = figures.rssGrowthAfterCapMb < 10;
  console.log(
    `store memory (heap + array buffers) at cap ${fixed(figures.storeMemoryMb, 1)} MB (target < ${STORE_TARGET_MB} MB: ` +
      `${figures.storeMemoryMb < STORE_TARGET_MB ? 'ok' : 'MISSED'}); RSS growth after 2x the cap ` +
      `${fixed(figures.rssGrowthAfterCapMb, 1)} MB (growth stops at the cap: ${flat ? 'ok' : 'MISSED'})`,
  );
}
