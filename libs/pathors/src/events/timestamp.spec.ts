import { describe, expect, it } from '@jest/globals';
import { isISO8601 } from 'class-validator';
import fc from 'fast-check';
import { toPathorsTimestamp } from './timestamp.decorator.js';

/** What the transform did before its fast path: class-validator's strict check, then `new Date`. */
const reference = (value: string): unknown => (isISO8601(value, { strict: true }) ? new Date(value) : value);

const pad = (width: number) => (n: number) => String(n).padStart(width, '0');

/** RFC 3339-shaped strings with every field drawn across and just beyond its range: many valid, many near misses. */
const timestampLike = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }).map(pad(4)),
    fc.integer({ min: 0, max: 13 }).map(pad(2)),
    fc.integer({ min: 0, max: 32 }).map(pad(2)),
    fc.constantFrom('T', 't', ' ', 'X'),
    fc.integer({ min: 0, max: 25 }).map(pad(2)),
    fc.integer({ min: 0, max: 60 }).map(pad(2)),
    fc.integer({ min: 0, max: 61 }).map(pad(2)),
    fc.constantFrom('', '.0', '.1', '.12', '.123', '.9999', '.123456789', '.99999999999999999999', ',5', '.'),
    fc.constantFrom('Z', 'z', '+00:00', '-05:30', '+23:59', '+24:00', '-12:60', '+0530', ''),
  )
  .map(
    (parts) =>
      `${parts.slice(0, 3).join('-')}${parts.slice(3, 5).join('')}:${parts[5]}:${parts[6]}${parts[7]}${parts[8]}`,
  );

describe('toPathorsTimestamp', () => {
  it('turns a timestamp into the same Date, or leaves it as it came, exactly as class-validator would decide', () => {
    let dates = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          timestampLike,
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        (value) => {
          const expected = reference(value);
          const actual = toPathorsTimestamp(value);
          if (expected instanceof Date) {
            dates++;
            expect(actual).toBeInstanceOf(Date);
            expect((actual as Date).getTime()).toBe(expected.getTime());
          } else {
            expect(actual).toBe(value);
          }
        },
      ),
      { numRuns: 20_000 },
    );
    // Both sides of the decision were exercised many times.
    expect(dates).toBeGreaterThan(2_000);
    expect(dates).toBeLessThan(18_000);
  });

  it.each([
    ['2024-02-29T12:00:00Z', true],
    ['2023-02-29T12:00:00Z', false],
    ['2100-02-29T12:00:00Z', false],
    ['2000-02-29T12:00:00Z', true],
    ['2026-04-31T08:00:00+02:00', false],
    ['2026-12-31T23:59:59.999999-05:30', true],
    ['0999-01-01T00:00:00Z', isISO8601('0999-01-01T00:00:00Z', { strict: true })],
  ])('decides %p as class-validator does (a date: %p)', (value, isDate) => {
    expect(toPathorsTimestamp(value) instanceof Date).toBe(isDate);
  });

  it('leaves what is not a string untouched', () => {
    const date = new Date();
    for (const value of [undefined, null, 0, 1_700_000_000_000, date, {}, []])
      expect(toPathorsTimestamp(value)).toBe(value);
  });
});
