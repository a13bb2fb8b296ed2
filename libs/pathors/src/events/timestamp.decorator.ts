import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate, isISO8601 } from 'class-validator';

/**
 * What a timestamp field holds after transformation: a string that class-validator's strict `isISO8601` accepts (the
 * calendar included: no 29 February outside a leap year) becomes a `Date`; anything else is returned as it came, for
 * validation to refuse.
 */
export function toPathorsTimestamp(value: unknown): unknown {
  return typeof value === 'string' && isISO8601(value, { strict: true }) ? new Date(value) : value;
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
