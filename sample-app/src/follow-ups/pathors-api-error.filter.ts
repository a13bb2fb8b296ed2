import { ArgumentsHost, Catch, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PathorsApiError } from 'nestjs-pathors';

/** Statuses of Pathors' answers worth passing on as they are; any other failure is the upstream's: 502. */
const PASSED_ON = new Set([HttpStatus.PAYMENT_REQUIRED, HttpStatus.CONFLICT, HttpStatus.TOO_MANY_REQUESTS]);

/**
 * Turns a failed Pathors API request into an answer the caller can act on: 402 (no credits), 409 (a call to this
 * number is already running) and 429 pass through; everything else is 502. The message is Pathors' own, which never
 * holds the API key.
 */
@Catch(PathorsApiError)
export class PathorsApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('PathorsApi');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: PathorsApiError, host: ArgumentsHost): void {
    const status =
      error.status !== undefined && PASSED_ON.has(error.status) ? error.status : HttpStatus.BAD_GATEWAY;
    this.logger.warn(error.message);
    this.adapterHost.httpAdapter.reply(
      host.switchToHttp().getResponse(),
      {
        statusCode: status,
        message: `Pathors refused the request: ${error.apiMessage}`,
        pathorsStatus: error.status,
      },
      status,
    );
  }
}
