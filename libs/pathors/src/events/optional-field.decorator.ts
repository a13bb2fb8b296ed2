import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional } from 'class-validator';

/**
 * Marks an optional documented field: it may be absent or `null`, and `null` counts as absent, so the event instance
 * does not hold the field at all (reading it gives `undefined`, `'field' in event` is false) while
 * `PathorsDelivery.payload` keeps the `null` as it came. Any other value is checked by the field's other decorators.
 */
export function IsPathorsOptional(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (value === null ? undefined : value), { toClassOnly: true }),
    IsOptional(),
  );
}
