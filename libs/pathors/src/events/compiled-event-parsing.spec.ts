import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import * as builders from '../testing/event-builders.js';
import { compiledPlainToInstance } from './compiled-plain-to-instance.util.js';
import { passesCompiledValidation } from './compiled-validation.util.js';
import { PATHORS_EVENT_CLASSES, type PathorsEventClass } from './pathors-event.map.js';
import { findUnsafePayloadShape } from './pathors-event.parser.js';

type Json = Record<string, unknown>;

const VALIDATION_OPTIONS = { forbidUnknownValues: true, validationError: { target: false, value: false } };
const RUNS_PER_EVENT = 250;

/** Every valid payload the builders make, with the class the parser would pick for it. */
const SAMPLES: Array<{ name: string; payload: Json; eventClass: PathorsEventClass }> = Object.entries(
  builders,
)
  .filter(([name]) => name.startsWith('build'))
  .map(([name, build]) => {
    const payload = JSON.parse(JSON.stringify((build as (o?: Json) => Json)())) as Json;
    const dialect = 'event' in payload ? 'lifecycle' : 'platform';
    const eventClass = PATHORS_EVENT_CLASSES[dialect].get(String(payload.event ?? payload.eventType))!;
    return { name, payload, eventClass };
  });

/** Every key path of a JSON value, e.g. `['analysis', 'sentiment', 'conversation', 'score']`. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    [...prefix, key],
    ...pathsOf(child, [...prefix, key]),
  ]);
}

/** Values that make documented fields valid as often as invalid. */
const plausible = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    ' ',
    'OPEN',
    'VOICE',
    'userHangup',
    'POSITIVE',
    'RESOLVED',
    'active',
    'UPSERTED',
    'ASSISTANT',
  ),
  fc.constantFrom(
    '2026-11-01T00:00:00.000Z',
    '2026-11-01',
    'not a date',
    'https://x.example/r.mp3',
    'ftp://x',
  ),
  fc.constantFrom(
    'd3b07384-d9a0-4c8e-9f4e-8b1c5b0c2a10',
    'toString',
    'hasRecording',
    -1,
    0,
    0.5,
    2,
    1e308,
    [],
  ),
  fc.constantFrom({}, { conversation: {} }, { start: '2026-11-01T00:00:00Z' }, ['a', 1], [{}], null, true),
);

function mutated(payload: Json, edits: Array<[string[], unknown]>, extra: Json): Json {
  const copy = JSON.parse(JSON.stringify(payload)) as Json;
  for (const [path, value] of edits) {
    let parent: unknown = copy;
    for (const key of path.slice(0, -1))
      parent = typeof parent === 'object' && parent ? (parent as Json)[key] : undefined;
    if (typeof parent !== 'object' || parent === null) continue;
    if (value === undefined) delete (parent as Json)[path.at(-1)!];
    else (parent as Json)[path.at(-1)!] = JSON.parse(JSON.stringify(value));
  }
  // Through JSON, as a request body arrives: only what JSON.parse can produce.
  return JSON.parse(JSON.stringify({ ...copy, ...extra })) as Json;
}

describe('compiled event parsing', () => {
  describe.each(SAMPLES)('$name', ({ payload, eventClass }) => {
    const paths = pathsOf(payload);
    const arbitraryPayload = fc
      .tuple(
        fc.array(fc.tuple(fc.constantFrom(...paths), fc.option(plausible, { nil: undefined })), {
          maxLength: 4,
        }),
        fc.dictionary(
          fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('toString', 'isCall')),
          plausible,
          {
            maxKeys: 2,
          },
        ),
      )
      .map(([edits, extra]) => mutated(payload, edits, extra))
      .filter((candidate) => findUnsafePayloadShape(candidate) === undefined);

    it('builds the same instance as plainToInstance and reaches the same verdict as validateSync', () => {
      let valid = 0;
      fc.assert(
        fc.property(arbitraryPayload, (candidate) => {
          const compiled = compiledPlainToInstance(eventClass, candidate);
          const reference = plainToInstance(eventClass, candidate, { enableImplicitConversion: false });
          expect(isDeepStrictEqual(compiled, reference)).toBe(true);

          const errors = validateSync(reference, VALIDATION_OPTIONS);
          expect(passesCompiledValidation(compiled)).toBe(errors.length === 0);
          if (errors.length === 0) valid++;
        }),
        { numRuns: RUNS_PER_EVENT },
      );
      // Both sides of the verdict were exercised.
      expect(valid).toBeGreaterThan(0);
      expect(valid).toBeLessThan(RUNS_PER_EVENT);
    });
  });

  it('rejects a plain object where a nested class is expected, as forbidUnknownValues does', () => {
    const payload = builders.buildUsageUpdated() as Json;
    const instance = compiledPlainToInstance(PATHORS_EVENT_CLASSES.platform.get('usage.updated')!, payload);
    expect(passesCompiledValidation(instance)).toBe(true);
    (instance as unknown as Json).period = { start: new Date(), end: new Date() };
    expect(passesCompiledValidation(instance)).toBe(false);
    expect(validateSync(instance, VALIDATION_OPTIONS)).not.toHaveLength(0);
  });
});
