import { afterAll, beforeAll, expect } from '@jest/globals';
import { TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import type { PathorsModuleOptions } from 'nestjs-pathors';
import { PathorsHealthIndicator } from 'nestjs-pathors/terminus';
import { healthControllerOf } from '../../support/health-controller.js';
import request from 'supertest';
import { CallEndedConsumers, SECRET } from '../../delivery/support/delivery-fixtures.js';
import { RedisServer } from '../../support/redis-server.js';
import { createWebhookApp, type AdapterName, type WebhookApp } from '../../support/webhook-app.js';

/** What the `GET /health` of a fault app checks. */
export type FaultHealthCheck = 'isStoreHealthy' | 'isInboxHealthy';

/** A booted app on a Redis server of its own, with `GET /health` and {@link CallEndedConsumers}. */
export interface FaultApp {
  readonly server: RedisServer;
  readonly harness: WebhookApp;
  readonly consumers: CallEndedConsumers;
  /** `GET /health`. */
  health(): request.Test;
}

/** A client as an app would make one, with the `'error'` listener an app owes its own client. */
export function connect(server: RedisServer): Redis {
  const redis = new Redis(server.connection);
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Starts a durable Redis server (an append-only file synced on every write, so a kill loses nothing answered 2xx)
 * and boots an app on it before the suite's tests, both stopped after them; `delivery` makes the app's store and inbox
 * from the server and a client of it.
 */
export function useFaultApp(
  adapter: AdapterName,
  check: FaultHealthCheck,
  delivery: (server: RedisServer, redis: Redis) => PathorsModuleOptions['delivery'],
): () => FaultApp {
  const FaultHealthController = healthControllerOf((pathors) => [() => pathors[check]()]);
  let app: FaultApp | undefined;
  let redis: Redis | undefined;
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await RedisServer.start({ durable: true });
    redis = connect(server);
    const harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET }, delivery: delivery(server, redis) },
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [FaultHealthController],
      providers: [CallEndedConsumers, PathorsHealthIndicator],
    });
    app = {
      server,
      harness,
      consumers: harness.get(CallEndedConsumers),
      health: () => request(harness.server).get('/health'),
    };
  });
  afterAll(async () => {
    await app?.harness.app.close();
    redis?.disconnect();
    await server?.stop();
  });
  return () => app!;
}

/** Expects a refusal that asks the sender to retry: `status`, `Retry-After: 5` and `message`. */
export function expectRetryLater(response: request.Response, status: number, message: string): void {
  expect({ status: response.status, retryAfter: response.headers['retry-after'] }).toEqual({
    status,
    retryAfter: '5',
  });
  expect(response.body.message).toBe(message);
}

/** The message of a 503 for a store or inbox failure. */
export const RECORDING_FAILED = 'The event could not be recorded; send it again';
