import { Controller, HttpCode, HttpStatus, Injectable, Post, Req, Res, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { MaybePromise } from '../delivery/maybe-promise.util.js';
import { PathorsWebhookReceiver, type PathorsWebhookAnswer } from './pathors-webhook.receiver.js';
import { webhookAnswerWriter, type WebhookAnswerWriter } from './webhook-answer-writer.js';

interface AdapterRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  rawBody?: Buffer;
}

/** The route; each `PathorsModule` registration gets its own subclass, whose path comes from the resolved options. */
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
  receive(@Req() request: AdapterRequest, @Res() response: unknown): MaybePromise<void> {
    const answer = this.receiver.receive({
      headers: request.headers,
      body: request.body,
      rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined,
    });
    // A delivery that finished at once is answered in the same tick; a refusal thrown here reaches Nest's filters.
    if (answer instanceof Promise) return answer.then((settled) => this.reply(response, settled));
    this.reply(response, answer);
  }

  private reply(response: unknown, answer: PathorsWebhookAnswer): void {
    (this.writeAnswer ??= webhookAnswerWriter(this.adapterHost.httpAdapter))(response, answer);
  }
}

/** A fresh controller class for one module registration, so two apps in one process can mount different paths. */
export function createWebhookController(): Type<PathorsWebhookControllerBase> {
  @Controller()
  class PathorsWebhookController extends PathorsWebhookControllerBase {}
  return PathorsWebhookController;
}
