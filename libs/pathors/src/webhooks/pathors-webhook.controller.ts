import { Controller, HttpCode, HttpStatus, Injectable, Post, Req, Res, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PathorsWebhookReceiver } from './pathors-webhook.receiver.js';

interface AdapterRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  rawBody?: Buffer;
}

/** The route; each `PathorsModule` registration gets its own subclass, whose path comes from the resolved options. */
@Injectable()
abstract class PathorsWebhookControllerBase {
  constructor(
    private readonly receiver: PathorsWebhookReceiver,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  async receive(@Req() request: AdapterRequest, @Res() response: unknown): Promise<void> {
    const answer = await this.receiver.receive({
      headers: request.headers,
      body: request.body,
      rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined,
    });
    this.adapterHost.httpAdapter.reply(response, answer.body, answer.status);
  }
}

/** A fresh controller class for one module registration, so two apps in one process can mount different paths. */
export function createWebhookController(): Type<PathorsWebhookControllerBase> {
  @Controller()
  class PathorsWebhookController extends PathorsWebhookControllerBase {}
  return PathorsWebhookController;
}
