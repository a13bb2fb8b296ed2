import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { PathorsChatService, PathorsModule, PathorsSessionService } from 'nestjs-pathors';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AppProcess } from '../support/app-process.js';
import { fixed, median, printTable } from '../support/stats.js';
import type { SimulatorReply, SimulatorRequest } from './client-ipc.js';

/** Targets of the issue: client throughput ÷ raw fetch, and the streaming time-to-first-chunk overhead. */
export const CLIENT_TARGETS = { throughputRatio: 0.9, firstChunkOverheadMs: 1 } as const;

/** How long and how often to measure. */
export interface ClientBenchPlan {
  readonly rounds: number;
  readonly seconds: number;
  readonly concurrency: number;
  readonly streams: number;
}

/** What the client benchmark measured. */
export interface ClientFigures {
  readonly rawPerSecond: readonly number[];
  /** Raw fetch with what the client adds to every call: an `AbortController` and a timer for the timeout. */
  readonly rawWithTimeoutPerSecond: readonly number[];
  readonly clientPerSecond: readonly number[];
  /** Median over rounds of client ÷ raw in the same round. */
  readonly throughputRatio: number;
  /** Median over rounds of client ÷ raw with a timeout in the same round. */
  readonly throughputRatioWithTimeout: number;
  readonly rawFirstChunkMs: number;
  readonly clientFirstChunkMs: number;
  readonly firstChunkOverheadMs: number;
}

type Simulator = { baseUrl: string; apiKey: string; projectId: string };

/** Runs `call` from `concurrency` loops for `seconds`; returns completed calls per second. */
async function closedLoop(
  seconds: number,
  concurrency: number,
  call: (n: number) => Promise<unknown>,
): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let completed = 0;
  const loop = async () => {
    while (performance.now() < until) await call(completed++);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return completed / ((performance.now() - started) / 1000);
}

/**
 * `createSession` by hand: the request the client sends, over the same keep-alive fetch; with `timeoutMs`, bounded the
 * way the client bounds every call (an `AbortController` aborted by a timer cleared once the response is in).
 */
async function rawCreateSession(
  simulator: Simulator,
  sessionId: string,
  timeoutMs?: number,
): Promise<unknown> {
  const timeout = timeoutMs === undefined ? undefined : new AbortController();
  const timer = timeout && setTimeout(() => timeout.abort(), timeoutMs);
  try {
    const response = await fetch(`${simulator.baseUrl}/v1/projects/${simulator.projectId}/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, variables: { crmContactId: 'crm-42' } }),
      signal: timeout?.signal,
    });
    if (response.status !== 200 && response.status !== 201)
      throw new Error(`raw createSession: ${response.status}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}

/** A streamed completion by hand: fetch, then SSE parsed line by line; resolves with the time to the first chunk. */
async function rawFirstChunk(simulator: Simulator, sessionId: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${simulator.baseUrl}/v1/projects/${simulator.projectId}/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${simulator.apiKey}`,
      'content-type': 'application/json',
      'x-session-id': sessionId,
    },
    body: JSON.stringify({
      session_id: sessionId,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    }),
  });
  let firstChunkMs: number | undefined;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const bytes of response.body!) {
    buffer += decoder.decode(bytes as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.startsWith('data: ') ? event.slice(6) : undefined;
      if (data === undefined || data === '[DONE]') continue;
      JSON.parse(data);
      firstChunkMs ??= performance.now() - started;
    }
  }
  if (firstChunkMs === undefined) throw new Error('raw stream: no chunk');
  return firstChunkMs;
}

async function clientFirstChunk(chat: PathorsChatService, sessionId: string): Promise<number> {
  const started = performance.now();
  let firstChunkMs: number | undefined;
  for await (const chunk of chat.stream({ sessionId, messages: [{ role: 'user', content: 'Hi' }] })) {
    void chunk;
    firstChunkMs ??= performance.now() - started;
  }
  if (firstChunkMs === undefined) throw new Error('client stream: no chunk');
  return firstChunkMs;
}

async function clientApp(simulator: Simulator): Promise<INestApplicationContext> {
  @Module({
    imports: [
      // PathorsModule's dispatcher insists on an event emitter even when the webhook is off.
      EventEmitterModule.forRoot(),
      PathorsModule.forRoot({
        apiKey: simulator.apiKey,
        projectId: simulator.projectId,
        baseUrl: simulator.baseUrl,
        webhook: { enabled: false },
      }),
    ],
  })
  class ClientBenchModule {}
  return NestFactory.createApplicationContext(ClientBenchModule, { logger: false, abortOnError: false });
}

/** createSession throughput and streaming time-to-first-chunk, client vs raw fetch, against the simulator. */
export async function runClientBench(plan: ClientBenchPlan): Promise<ClientFigures> {
  const { process: simulatorProcess, ready } = await AppProcess.start<SimulatorRequest, SimulatorReply>(
    new URL('./simulator.process.ts', import.meta.url),
    [],
  );
  if (ready.type !== 'ready') throw new Error(`simulator sent ${ready.type} instead of ready`);
  const app = await clientApp(ready);
  try {
    const sessions = app.get(PathorsSessionService);
    const chat = app.get(PathorsChatService);
    const prefix = randomBytes(4).toString('hex');
    const raw = (n: number) => rawCreateSession(ready, `raw-${prefix}-${n}`);
    const rawWithTimeout = (n: number) => rawCreateSession(ready, `raw-timeout-${prefix}-${n}`, 30_000);
    const client = (n: number) =>
      sessions.createSession({ sessionId: `client-${prefix}-${n}`, variables: { crmContactId: 'crm-42' } });

    // Warm-up of both paths (connections, JIT), excluded.
    const sides = { raw, rawWithTimeout, client };
    const perSecond = { raw: [] as number[], rawWithTimeout: [] as number[], client: [] as number[] };
    for (const call of Object.values(sides)) await closedLoop(1, plan.concurrency, call);
    const names = Object.keys(sides) as Array<keyof typeof sides>;
    for (let round = 0; round < plan.rounds; round++) {
      // Rotate which goes first, so that drift of the machine does not favour one side.
      for (const side of names.map((_, index) => names[(index + round) % names.length]!)) {
        perSecond[side].push(await closedLoop(plan.seconds, plan.concurrency, sides[side]));
        await simulatorProcess.request({ type: 'forget' });
      }
      console.log(
        `  round ${round + 1}/${plan.rounds} createSession: raw fetch ${fixed(perSecond.raw.at(-1)!, 0)}/s, ` +
          `raw fetch with a timeout ${fixed(perSecond.rawWithTimeout.at(-1)!, 0)}/s, ` +
          `client ${fixed(perSecond.client.at(-1)!, 0)}/s`,
      );
    }
    const { raw: rawPerSecond, rawWithTimeout: rawWithTimeoutPerSecond, client: clientPerSecond } = perSecond;

    const rawTimes: number[] = [];
    const clientTimes: number[] = [];
    for (let n = 0; n < plan.streams + 20; n++) {
      const rawTime = await rawFirstChunk(ready, `raw-stream-${prefix}-${n}`);
      const clientTime = await clientFirstChunk(chat, `client-stream-${prefix}-${n}`);
      // The first 20 of each are warm-up.
      if (n >= 20) {
        rawTimes.push(rawTime);
        clientTimes.push(clientTime);
      }
    }
    const rawFirstChunkMs = median(rawTimes);
    const clientFirstChunkMs = median(clientTimes);
    const pairedRatio = (baseline: readonly number[]) =>
      median(clientPerSecond.map((calls, round) => calls / baseline[round]!));
    return {
      rawPerSecond,
      rawWithTimeoutPerSecond,
      clientPerSecond,
      throughputRatio: pairedRatio(rawPerSecond),
      throughputRatioWithTimeout: pairedRatio(rawWithTimeoutPerSecond),
      rawFirstChunkMs,
      clientFirstChunkMs,
      firstChunkOverheadMs: clientFirstChunkMs - rawFirstChunkMs,
    };
  } finally {
    await app.close();
    await simulatorProcess.close({ type: 'close' });
  }
}

/** Prints the figures and the verdicts. */
export function printClientFigures(figures: ClientFigures): void {
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  console.log('\nAPI client against the simulator (its own process), medians');
  printTable(
    ['measure', 'raw fetch', 'client', 'client vs raw', 'target'],
    [
      [
        'createSession /s',
        fixed(median(figures.rawPerSecond), 0),
        fixed(median(figures.clientPerSecond), 0),
        `x${fixed(figures.throughputRatio)}`,
        `>=${CLIENT_TARGETS.throughputRatio}: ${verdict(figures.throughputRatio >= CLIENT_TARGETS.throughputRatio)}`,
      ],
      [
        'createSession /s, raw with a timeout',
        fixed(median(figures.rawWithTimeoutPerSecond), 0),
        fixed(median(figures.clientPerSecond), 0),
        `x${fixed(figures.throughputRatioWithTimeout)}`,
        'information',
      ],
      [
        'stream first chunk ms',
        fixed(figures.rawFirstChunkMs),
        fixed(figures.clientFirstChunkMs),
        `${figures.firstChunkOverheadMs >= 0 ? '+' : ''}${fixed(figures.firstChunkOverheadMs)} ms`,
        `<=${CLIENT_TARGETS.firstChunkOverheadMs} ms: ${verdict(figures.firstChunkOverheadMs <= CLIENT_TARGETS.firstChunkOverheadMs)}`,
      ],
    ],
  );
}
