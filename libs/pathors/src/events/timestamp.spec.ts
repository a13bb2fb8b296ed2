import { describe, expect, it } from '@jest/globals';
import { toPathorsTimestamp } from './timestamp.decorator.js';

describe('toPathorsTimestamp', () => {
  it.each([
    ['2026-04-30T08:15:00Z', Date.UTC(2026, 3, 30, 8, 15, 0)],
    ['2026-04-30T08:15:00.123Z', Date.UTC(2026, 3, 30, 8, 15, 0, 123)],
    ['2026-04-30T10:15:00+02:00', Date.UTC(2026, 3, 30, 8, 15, 0)],
    ['2026-04-29T23:45:00.5-08:30', Date.UTC(2026, 3, 30, 8, 15, 0, 500)],
    ['2026-12-31T23:59:59.999999-05:30', Date.UTC(2027, 0, 1, 5, 29, 59, 999)],
    ['2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12)],
    ['2000-02-29T12:00:00Z', Date.UTC(2000, 1, 29, 12)],
  ])('turns %p into the instant it names', (value, instant) => {
    const date = toPathorsTimestamp(value);
    expect(date).toBeInstanceOf(Date);
    expect((date as Date).getTime()).toBe(instant);
  });

  it.each([
    ['2023-02-29T12:00:00Z', 'a 29 February outside a leap year'],
    ['2100-02-29T12:00:00Z', 'a 29 February in a century year that is not a leap year'],
    ['2026-04-31T08:00:00+02:00', 'a 31st in a 30-day month'],
    ['2026-13-01T08:00:00Z', 'a 13th month'],
    ['2026-04-30T24:30:00Z', 'an hour past 23'],
    ['not a timestamp', 'garbage'],
    ['', 'an empty string'],
    ['1700000000', 'seconds since the epoch, as a string'],
  ])('returns %p (%s) as given, for validation to refuse', (value) => {
    expect(toPathorsTimestamp(value)).toBe(value);
  });

  it('returns what is not a string as given: numbers, dates, objects', () => {
    const date = new Date();
    for (const value of [undefined, null, 0, 1_700_000_000_000, date, {}, []])
      expect(toPathorsTimestamp(value)).toBe(value);
  });
});
