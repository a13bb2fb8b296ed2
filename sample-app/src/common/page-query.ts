import { BadRequestException, Query, type PipeTransform } from '@nestjs/common';

/** Most items one listing returns. */
export const MAX_PAGE_LIMIT = 100;

/**
 * Reads an optional whole-number query parameter: `fallback` when absent, 400 naming the parameter when it is not a
 * whole number, otherwise brought within `min..max`.
 */
class PageNumberPipe implements PipeTransform<string | undefined, number> {
  constructor(
    private readonly name: string,
    private readonly fallback: number,
    private readonly min: number,
    private readonly max: number,
  ) {}

  transform(value: string | undefined): number {
    if (value === undefined || value === '') return this.fallback;
    if (!/^-?\d+$/.test(value)) throw new BadRequestException(`${this.name} must be a whole number`);
    return Math.min(Math.max(Number(value), this.min), this.max);
  }
}

/** `?limit=`: how many items a listing returns, 20 by default, 1 to {@link MAX_PAGE_LIMIT}. */
export const PageLimit = (): ParameterDecorator =>
  Query('limit', new PageNumberPipe('limit', 20, 1, MAX_PAGE_LIMIT));

/** `?offset=`: how many items a listing skips, 0 by default. */
export const PageOffset = (): ParameterDecorator =>
  Query('offset', new PageNumberPipe('offset', 0, 0, Number.MAX_SAFE_INTEGER));
