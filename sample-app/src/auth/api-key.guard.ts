import {
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { isPathorsContext } from 'nestjs-pathors';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { sampleConfig } from '../config/sample.config.js';
import { Public } from './public.decorator.js';

/** Header carrying the sample app's own API key. */
export const API_KEY_HEADER = 'x-api-key';

/** What the guard reads of an Express or Fastify request. */
type Request = Pick<IncomingMessage, 'headers'>;

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * The app-wide guard of the sample's own REST endpoints: with `SAMPLE_API_KEY` set, a request needs it in the
 * `x-api-key` header (401 otherwise); unset, every request is allowed. It lets through routes marked {@link Public}:
 * the health check, and each agent's webhook route (`webhook.decorators: [Public()]` on its `PathorsModule`
 * registration, which authenticates it with that agent's webhook secret). It steps aside for `@OnPathorsEvent`
 * handlers, which run in a `pathors` execution context where global guards apply too.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** SHA-256 of the key: comparing digests takes the same time whatever the length of the value sent. */
  private readonly keyDigest?: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(sampleConfig.KEY) config: ConfigType<typeof sampleConfig>,
  ) {
    this.keyDigest = config.apiKey === undefined ? undefined : sha256(config.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (isPathorsContext(context)) return true;
    if (this.isOpenRoute(context)) return true;
    return this.isAuthorised(context.switchToHttp().getRequest<Request>());
  }

  /** Routes marked `@Public()`, on the handler or its controller (the webhook controllers are marked on the class). */
  private isOpenRoute(context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride(Public, [context.getHandler(), context.getClass()]) === true;
  }

  private isAuthorised(request: Request): boolean {
    if (!this.keyDigest) return true;
    const sent = request.headers[API_KEY_HEADER];
    if (typeof sent !== 'string' || !timingSafeEqual(sha256(sent), this.keyDigest)) {
      throw new UnauthorizedException(
        `Send the app's API key (SAMPLE_API_KEY) in the ${API_KEY_HEADER} header.`,
      );
    }
    return true;
  }
}
