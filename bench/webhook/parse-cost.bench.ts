import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { OnPathorsEvent, PATHORS_EVENT_NAMES, PathorsModule, type PathorsEventName } from 'nestjs-pathors';
import { performance } from 'node:perf_hooks';
import { parsePathorsEvent } from '../../libs/pathors/src/events/pathors-event.parser.js';
import { PathorsWebhookReceiver } from '../../libs/pathors/src/webhooks/pathors-webhook.receiver.js';
import { fixed, median, printTable } from '../support/stats.js';
import { BENCH_HEADERS, BENCH_SECRET, PayloadMix } from './payload-mix.js';

/** Microseconds per event of the mix, in-process, medians over rounds. */
export interface ParseCostFigures {
  /** `JSON.parse` of the body alone: what any JSON route pays. */
  readonly jsonParseUs: number;
  /**
   * `JSON.parse` then `parsePathorsEvent`: the shape checked, the event's class looked up by name, then
   * class-transformer's `plainToInstance` and class-validator's `validateSync`, as the webhook runs them.
   */
  readonly parserUs: number;
  /**
   * `PathorsWebhookReceiver.receive` with the default in-memory dedupe and one no-op handler, without HTTP: the whole
   * module's cost per event (authentication, parsing, idempotency claim, dispatch), JSON.parse included.
   */
  readonly receiverUs: number;
}

@Injectable()
class NoopHandler {
  @OnPathorsEvent(PATHORS_EVENT_NAMES as readonly PathorsEventName[])
  onEvent(): void {}
}

async function receiverOf(): Promise<{ receiver: PathorsWebhookReceiver; close: () => Promise<void> }> {
  @Module({
    imports: [EventEmitterModule.forRoot(), PathorsModule.forRoot({ webhook: { secret: BENCH_SECRET } })],
    providers: [NoopHandler],
  })
  class ReceiverBenchModule {}
  const app = await NestFactory.createApplicationContext(ReceiverBenchModule, {
    logger: false,
    abortOnError: false,
  });
  await app.init();
  return { receiver: app.get(PathorsWebhookReceiver), close: () => app.close() };
}

async function asyncMicrosPerEvent(
  bodies: readonly string[],
  work: (body: string) => unknown,
): Promise<number> {
  const started = performance.now();
  for (const body of bodies) await work(body);
  return ((performance.now() - started) * 1000) / bodies.length;
}

function microsPerEvent(bodies: readonly string[], work: (body: string) => unknown): number {
  const started = performance.now();
  for (const body of bodies) work(body);
  return ((performance.now() - started) * 1000) / bodies.length;
}

/**
 * In-process cost of the payload mix (no HTTP): JSON.parse alone, JSON.parse and the parser, and the whole receiver.
 * Each round runs the three one after the other, so machine noise hits them alike.
 */
export async function runParseCostBench(events: number, rounds: number): Promise<ParseCostFigures> {
  const mix = new PayloadMix();
  const bodies = Array.from({ length: events }, () => mix.next());
  const { receiver, close } = await receiverOf();
  const headers = { ...BENCH_HEADERS };
  // Each round needs fresh events, or the dedupe would answer "duplicate" from the second round on.
  const receive = () => {
    const body = mix.next();
    return receiver.receive({ headers, body: JSON.parse(body) });
  };
  const answer = await receive();
  if (answer.status !== 200)
    throw new Error(`the receiver answered ${answer.status} ${JSON.stringify(answer.body)}`);
  for (const body of bodies) {
    if (parsePathorsEvent(JSON.parse(body)).kind !== 'known')
      throw new Error(`the mix holds an event the parser does not accept: ${body}`);
  }
  const json: number[] = [];
  const parser: number[] = [];
  const received: number[] = [];
  for (let round = 0; round < rounds; round++) {
    received.push(await asyncMicrosPerEvent(bodies, receive));
    json.push(microsPerEvent(bodies, (body) => JSON.parse(body)));
    parser.push(microsPerEvent(bodies, (body) => parsePathorsEvent(JSON.parse(body))));
  }
  await close();
  return {
    jsonParseUs: median(json),
    parserUs: median(parser),
    receiverUs: median(received),
  };
}

/** Prints the figures. */
export function printParseCostFigures(figures: ParseCostFigures): void {
  console.log('\nOne event of the mix, in-process, no HTTP (µs per event, median of rounds)');
  printTable(
    ['path', 'µs/event', 'beyond JSON.parse'],
    [
      ['JSON.parse only', fixed(figures.jsonParseUs), '-'],
      [
        'parsePathorsEvent: plainToInstance + validateSync',
        fixed(figures.parserUs),
        fixed(figures.parserUs - figures.jsonParseUs),
      ],
      [
        'receiver.receive: auth, parse, dedupe, dispatch',
        fixed(figures.receiverUs),
        fixed(figures.receiverUs - figures.jsonParseUs),
      ],
    ],
  );
}
