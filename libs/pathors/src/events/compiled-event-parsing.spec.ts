import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { isURL, validateSync } from 'class-validator';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import * as builders from '../testing/event-builders.js';
import { compiledPlainToInstance } from './compiled-plain-to-instance.util.js';
import { isPlainHttpUrl, passesCompiledValidation } from './compiled-validation.util.js';
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

describe('the plain http(s) URL shortcut of @IsUrl({ require_tld: false })', () => {
  const HOST_CHARS = [
    'a',
    'Z',
    'x',
    '0',
    '9',
    '-',
    '-',
    '_',
    '.',
    'ſ',
    'K',
    'ａ',
    'é',
    ' ',
    ':',
    '@',
    '[',
    ']',
  ];
  const TAIL_CHARS = [
    '/',
    '?',
    '#',
    '&',
    '=',
    'a',
    '%',
    '@',
    ':',
    '.',
    '<',
    '>',
    ' ',
    '\t',
    '\u00a0',
    '\u2028',
    '\ufeff',
  ];
  const label = fc.oneof(
    { arbitrary: fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?$/), weight: 16 },
    fc.string({ unit: fc.constantFrom('a', 'b', '0', '1', '-'), minLength: 0, maxLength: 66 }),
    fc.string({ unit: fc.constantFrom(...HOST_CHARS), maxLength: 8 }),
    fc.constantFrom('1', '255', '0', 'localhost', 'xn--bcher-kva', '-a', 'a-'),
    fc.integer({ min: 60, max: 66 }).map((length) => 'l'.repeat(length)),
  );
  const urlish = fc
    .record({
      protocol: fc.constantFrom(
        ...['https://', 'http://', 'HTTPS://', 'hTtP://', 'https://', 'http://'],
        ...['ftp://', '//', 'https:/', 'https:', ''],
      ),
      auth: fc.constantFrom('', '', '', '', '', '', 'user:pw@', '@', ':@'),
      labels: fc.array(label, { minLength: 1, maxLength: 5 }),
      port: fc.constantFrom('', '', '', '', '', '', ':80', ':0', ':65536', ':x'),
      tail: fc.oneof(
        {
          arbitrary: fc.string({ unit: fc.constantFrom(...TAIL_CHARS.slice(0, 10)), maxLength: 12 }),
          weight: 4,
        },
        fc.string({ unit: fc.constantFrom(...TAIL_CHARS), maxLength: 12 }),
        fc.integer({ min: 2040, max: 2100 }).map((length) => `/${'p'.repeat(length)}`),
      ),
    })
    .map(({ protocol, auth, labels, port, tail }) => `${protocol}${auth}${labels.join('.')}${port}${tail}`);

  it.each([true, false])(
    'says "valid" only where validator.isURL agrees (require_protocol %p)',
    (requireProtocol) => {
      let shortcuts = 0;
      fc.assert(
        fc.property(urlish, (value) => {
          if (!isPlainHttpUrl(value)) return;
          shortcuts++;
          expect(isURL(value, { require_protocol: requireProtocol, require_tld: false })).toBe(true);
        }),
        { numRuns: 20_000 },
      );
      // The shortcut was taken often enough for the property to mean something.
      expect(shortcuts).toBeGreaterThan(500);
    },
  );

  it('takes the shortcut for the recording URLs Pathors sends, and leaves IP hosts, ports and credentials to isURL', () => {
    expect(isPlainHttpUrl('https://recordings.pathors.example/r/abc123.mp3?sig=x')).toBe(true);
    expect(isPlainHttpUrl('http://localhost/r.mp3')).toBe(true);
    for (const value of [
      'https://127.0.0.1/r.mp3',
      'https://host:8443/r',
      'https://u:p@host/r',
      'https://host./r',
    ])
      expect(isPlainHttpUrl(value)).toBe(false);
    expect(isPlainHttpUrl('https://a.b/' + 'p'.repeat(2100))).toBe(false);
  });
});
