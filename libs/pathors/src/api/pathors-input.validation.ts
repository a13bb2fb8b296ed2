import { PathorsInvalidArgumentError } from './pathors-api.errors.js';

const E164 = /^\+[1-9]\d{7,14}$/;
/** Digits only: a local number (`0912345678`) or one with its country code but no `+`. */
const LOCAL_DIGITS = /^\d{6,15}$/;

/** A non-empty string, or a {@link PathorsInvalidArgumentError} naming `field`. */
export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new PathorsInvalidArgumentError(field, `must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** `undefined`, or a non-empty string. */
export function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : requireText(value, field);
}

/** `undefined`, or a plain JSON object (not an array, not null). */
export function optionalObject(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PathorsInvalidArgumentError(field, `must be a plain object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** `undefined`, or an integer within `[min, max]`. */
export function optionalInteger(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new PathorsInvalidArgumentError(
      field,
      `must be an integer from ${min} to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * A phone number in the form the configured API style accepts, returned exactly as given (never reformatted: the
 * module does not guess a country code). Neither style allows spaces, dashes, dots or parentheses.
 *
 * - `'v1'`: E.164 only: `+`, a country code (not starting with 0) and the number, 8 to 15 digits in all
 *   (`+886912345678`).
 * - `'legacy'`: E.164 as above, or digits only, 6 to 15 of them: a local number with its leading 0, as Pathors'
 *   legacy integration page tells Taiwanese users to send (`0912345678`), or a number that already starts with its
 *   country code but has no `+`.
 *
 * The value is never echoed in the error: phone numbers stay out of messages.
 */
export function requirePhoneNumber(value: unknown, field: string, apiStyle: 'v1' | 'legacy'): string {
  if (
    typeof value === 'string' &&
    (E164.test(value) || (apiStyle === 'legacy' && LOCAL_DIGITS.test(value)))
  ) {
    return value;
  }
  throw new PathorsInvalidArgumentError(
    field,
    apiStyle === 'legacy'
      ? 'must be a phone number: E.164 ("+", country code and number, 8 to 15 digits) or a local number of ' +
          '6 to 15 digits, with no spaces or dashes'
      : 'must be an E.164 phone number: "+", country code and number, 8 to 15 digits, no spaces ' +
          "(e.g. +14155550123); a local number needs its country code (apiStyle 'v1' accepts E.164 only)",
  );
}

/** A non-empty array. */
export function requireArray(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new PathorsInvalidArgumentError(field, `must be a non-empty array, got ${describe(value)}`);
  }
  return value;
}

/** One of `allowed`. */
export function requireOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new PathorsInvalidArgumentError(
      field,
      `must be one of ${allowed.join(', ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : 'a string';
  return typeof value;
}
