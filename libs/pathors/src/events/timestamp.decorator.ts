import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate, isISO8601 } from 'class-validator';

/**
 * The timestamp form Pathors sends (RFC 3339 with `T`, seconds, optional fraction, `Z` or an offset), each field in its
 * range; a year from 1000, as below that class-validator's calendar check reads the year differently.
 */
const RFC3339 =
  /^[1-9]\d{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

const digits = (value: string, from: number, count: number): number => {
  let number = 0;
  for (let index = from; index < from + count; index++) number = number * 10 + value.charCodeAt(index) - 48;
  return number;
};

/** Days of each month (index 1-12), February in a leap year. */
const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Whether the day of an {@link RFC3339} string exists in its month (29 February only in a leap year). */
function dayExists(value: string): boolean {
  const day = digits(value, 8, 2);
  const month = digits(value, 5, 2);
  if (day > DAYS_IN_MONTH[month]!) return false;
  if (month !== 2 || day !== 29) return true;
  const year = digits(value, 0, 4);
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** The number two decimal digits at `index` make. */
const twoDigits = (value: string, index: number): number =>
  (value.charCodeAt(index) - 48) * 10 + value.charCodeAt(index + 1) - 48;

/**
 * The instant an {@link RFC3339} string names, computed from its digits: what `new Date(value)` gives (a fraction is
 * truncated to milliseconds, as V8 does), without running the general date parser. A property test holds the two equal.
 */
function instantOf(value: string): number {
  let milliseconds = 0;
  let index = 19;
  if (value.charCodeAt(index) === 46 /* . */) {
    for (let scale = 100, digit = value.charCodeAt(++index) - 48; digit >= 0 && digit <= 9;) {
      milliseconds += digit * scale;
      scale = scale === 1 ? 0 : scale / 10;
      digit = value.charCodeAt(++index) - 48;
    }
  }
  const zone = value.charCodeAt(index);
  const offsetMs =
    zone === 90 /* Z */
      ? 0
      : (twoDigits(value, index + 1) * 60 + twoDigits(value, index + 4)) *
        (zone === 43 /* + */ ? 60_000 : -60_000);
  return (
    Date.UTC(
      twoDigits(value, 0) * 100 + twoDigits(value, 2),
      twoDigits(value, 5) - 1,
      twoDigits(value, 8),
      twoDigits(value, 11),
      twoDigits(value, 14),
      twoDigits(value, 17),
      milliseconds,
    ) - offsetMs
  );
}

/**
 * What a timestamp field holds after transformation: a valid ISO 8601 string (class-validator's strict `isISO8601`,
 * calendar included) becomes a `Date`; anything else is returned as it came, for validation to refuse. The usual form
 * is recognised by one anchored pattern and a day-of-month check, which accept only strings `isISO8601` accepts (a
 * property test holds them to it); any other string is left to `isISO8601`.
 */
export function toPathorsTimestamp(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (RFC3339.test(value) && dayExists(value)) return new Date(instantOf(value));
  return isISO8601(value, { strict: true }) ? new Date(value) : value;
}

/**
 * Marks a documented ISO 8601 / RFC 3339 timestamp field: a valid string becomes a `Date`; anything else
 * (a number, an invalid date, another type) is left as it came and fails validation with a clear reason.
 */
export function IsPathorsTimestamp(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => toPathorsTimestamp(value), { toClassOnly: true }),
    IsDate({ message: ({ property }) => `${property} must be an ISO 8601 timestamp string` }),
  );
}
