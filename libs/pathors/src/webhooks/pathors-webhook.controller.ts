import {
  applyDecorators,
  Controller,
  HttpCode,
  HttpStatus,
  Injectable,
  Post,
  Req,
  Res,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  PathorsRetryLaterException,
  PathorsWebhookReceiver,
  type PathorsWebhookAnswer,
} from './pathors-webhook.receiver.js';
import { webhookAnswerWriter, type WebhookAnswerWriter } from './webhook-answer-writer.js';

interface AdapterRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  rawBody?: Buffer;
}

/** The webhook route of one `PathorsModule` registration: `POST <path>`. */
@Injectable()
abstract class PathorsWebhookControllerBase {
  // Chosen on the first answer: in a testing module the controllers are created before the app and its HTTP adapter.
  private writeAnswer?: WebhookAnswerWriter;

  constructor(
    private readonly receiver: PathorsWebhookReceiver,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  async receive(@Req() request: AdapterRequest, @Res() response: unknown): Promise<void> {
    let answer: PathorsWebhookAnswer;
    try {
      answer = await this.receiver.receive({
        headers: request.headers,
        body: request.body,
        rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined,
      });
    } catch (error) {
      // The exception filter writes the refusal; the header set now stays on the response it writes.
      if (error instanceof PathorsRetryLaterException) {
        this.adapterHost.httpAdapter.setHeader(response, 'Retry-After', String(error.retryAfterSeconds));
      }
      throw error;
    }
    this.reply(response, answer);
  }

  private reply(response: unknown, answer: PathorsWebhookAnswer): void {
    (this.writeAnswer ??= webhookAnswerWriter(this.adapterHost.httpAdapter))(response, answer);
  }
}

/**
 * The controller class of one registration, mounted at `path` (below the global prefix) with the host app's own
 * decorators (`webhook.decorators`, e.g. `SkipThrottle()`) applied to the class.
 */
export function createWebhookController(
  path: string,
  decorators: readonly ClassDecorator[],
): Type<PathorsWebhookControllerBase> {
  class PathorsWebhookController extends PathorsWebhookControllerBase {}
  applyDecorators(Controller(path), ...decorators)(PathorsWebhookController);
  return PathorsWebhookController;
}
