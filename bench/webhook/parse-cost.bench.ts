import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { performance } from 'node:perf_hooks';
import {
  PATHORS_EVENT_CLASSES,
  type PathorsDialect,
} from '../../libs/pathors/src/events/pathors-event.map.js';
import { parsePathorsEvent } from '../../libs/pathors/src/events/pathors-event.parser.js';
import { fixed, median, printTable } from '../support/stats.js';
import { PayloadMix } from './payload-mix.js';

/** Microseconds per event of each way of turning a body into a validated event, medians over rounds. */
export interface ParseCostFigures {
  readonly jsonParseUs: number;
  /** `plainToInstance` + `validateSync` per request: what the parser did before its compiled plans. */
  readonly classValidatorUs: number;
  /** `parsePathorsEvent`: what the webhook runs now. */
  readonly parserUs: number;
}

/** The parser as it was: class-transformer and class-validator on every request. */
function referenceParse(payload: Record<string, unknown>): number {
  const dialect: PathorsDialect = 'event' in payload ? 'lifecycle' : 'platform';
  const eventClass = PATHORS_EVENT_CLASSES[dialect].get(String(payload.event ?? payload.eventType))!;
  const event = plainToInstance(eventClass, payload, { enableImplicitConversion: false });
  return validateSync(event, { forbidUnknownValues: true, validationError: { target: false, value: false } })
    .length;
}

function microsPerEvent(bodies: readonly string[], work: (body: string) => unknown): number {
  const started = performance.now();
  for (const body of bodies) work(body);
  return ((performance.now() - started) * 1000) / bodies.length;
}

/**
 * In-process cost of parsing and validating the payload mix (no HTTP): JSON.parse alone, the class-validator path the
 * parser used before, and the parser now. The rounds interleave the three, so machine noise hits them alike.
 */
export function runParseCostBench(events: number, rounds: number): ParseCostFigures {
  const mix = new PayloadMix();
  const bodies = Array.from({ length: events }, () => mix.next());
  for (const body of bodies) {
    if (parsePathorsEvent(JSON.parse(body)).kind !== 'known')
      throw new Error(`the mix holds an invalid event: ${body}`);
    if (referenceParse(JSON.parse(body) as Record<string, unknown>) !== 0)
      throw new Error(`invalid: ${body}`);
  }
  const json: number[] = [];
  const reference: number[] = [];
  const parser: number[] = [];
  for (let round = 0; round < rounds; round++) {
    json.push(microsPerEvent(bodies, (body) => JSON.parse(body)));
    reference.push(
      microsPerEvent(bodies, (body) => referenceParse(JSON.parse(body) as Record<string, unknown>)),
    );
    parser.push(microsPerEvent(bodies, (body) => parsePathorsEvent(JSON.parse(body))));
  }
  return { jsonParseUs: median(json), classValidatorUs: median(reference), parserUs: median(parser) };
}

/** Prints the figures. */
export function printParseCostFigures(figures: ParseCostFigures): void {
  console.log('\nParse + validate one event of the mix, in-process (µs per event, median of rounds)');
  printTable(
    ['path', 'µs/event', 'beyond JSON.parse'],
    [
      ['JSON.parse only', fixed(figures.jsonParseUs), '-'],
      [
        'plainToInstance + validateSync (before)',
        fixed(figures.classValidatorUs),
        fixed(figures.classValidatorUs - figures.jsonParseUs),
      ],
      [
        'parsePathorsEvent, compiled plans (now)',
        fixed(figures.parserUs),
        fixed(figures.parserUs - figures.jsonParseUs),
      ],
    ],
  );
  console.log(
    `validation cost now ${fixed((figures.parserUs - figures.jsonParseUs) / (figures.classValidatorUs - figures.jsonParseUs))}x ` +
      'the class-validator path',
  );
}
