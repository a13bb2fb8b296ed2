import type { ArgumentsHost } from '@nestjs/common';
import { PATHORS_CONTEXT_TYPE } from './pathors-events.constants.js';

/**
 * Whether a guard, interceptor or filter runs around a Pathors event handler (rather than an HTTP request).
 * Global enhancers that read the HTTP request should step aside when it is true.
 *
 * @example
 * ```ts
 * canActivate(context: ExecutionContext) {
 *   if (isPathorsContext(context)) return true;
 *   return this.checkJwt(context.switchToHttp().getRequest());
 * }
 * ```
 */
export function isPathorsContext(context: ArgumentsHost): boolean {
  return context.getType<string>() === PATHORS_CONTEXT_TYPE;
}
