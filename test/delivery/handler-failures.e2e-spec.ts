import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { Queue } from 'bullmq';
import request from 'supertest';
import {
  CallEndedEvent,
  isPathorsContext,
  OnPathorsEvent,
  PathorsDeadLetterService,
  PathorsPermanentError,
} from 'nestjs-pathors';
import { BullMqInbox } from 'nestjs-pathors/inbox';
import { RedisIdempotencyStore } from 'nestjs-pathors/redis';
import { buildCallEnded } from 'nestjs-pathors/testing';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';
import {
  FailureAlerts,
  SECRET,
  connectRedis,
  deleteKeys,
  eventually,
  post,
  uniquePrefix,
} from './support/delivery-fixtures.js';

/** Fails as each test tells it to: permanently for an unknown customer, for a while on an outage. */
@Injectable()
class BillingHandler {
  readonly runs: string[] = [];
  failure: 'none' | 'permanent' | 'transient' = 'none';

  @OnPathorsEvent('call.ended')
  bill(event: CallEndedEvent) {
    this.runs.push(event.sessionId);
    if (this.failure === 'permanent') throw new PathorsPermanentError(`no customer for ${event.sessionId}`);
    if (this.failure === 'transient') throw new Error('billing database unreachable');
  }
}

describe.each(ADAPTERS)('handler failures in direct mode on %s', (adapter) => {
  let harness: WebhookApp;
  let billing: BillingHandler;
  let alerts: FailureAlerts;

  beforeAll(async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET } },
      providers: [BillingHandler, FailureAlerts],
    });
    billing = harness.get(BillingHandler);
    alerts = harness.get(FailureAlerts);
  });
  afterAll(() => harness.app.close());
  beforeEach(() => {
    billing.runs.length = 0;
    alerts.failures.length = 0;
  });

  it('answers a permanent failure 200 so the sender stops, records it done, and reports it', async () => {
    billing.failure = 'permanent';
    const event = buildCallEnded();
    const first = await post(harness.server, event);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, note: 'a handler failed permanently; not retried' });

    const redelivery = await post(harness.server, event);
    expect(redelivery.body).toEqual({ received: true, note: 'duplicate: already processed' });
    expect(billing.runs).toEqual([event.sessionId]);

    expect(alerts.failures).toHaveLength(1);
    expect(alerts.failures[0]).toMatchObject({
      handlerId: 'BillingHandler.bill',
      eventName: 'call.ended',
      registration: 'default',
      sessionId: event.sessionId,
      permanent: true,
    });
    expect(alerts.failures[0]!.error).toBeInstanceOf(PathorsPermanentError);
  });

  it('answers any other failure 500 and runs the handler again on redelivery, reporting each failure', async () => {
    billing.failure = 'transient';
    const event = buildCallEnded();
    expect((await post(harness.server, event)).status).toBe(500);
    billing.failure = 'none';
    expect((await post(harness.server, event)).status).toBe(200);
    expect(billing.runs).toEqual([event.sessionId, event.sessionId]);
    expect(alerts.failures.map(({ permanent, handlerId }) => ({ permanent, handlerId }))).toEqual([
      { permanent: false, handlerId: 'BillingHandler.bill' },
    ]);
  });
});

describe.each(ADAPTERS)('handler failures in inbox mode on %s', (adapter) => {
  const redis = connectRedis();
  const prefix = uniquePrefix(`failures-${adapter}`);
  const connection = { host: '127.0.0.1', port: 6379 };
  let queue: Queue;
  let harness: WebhookApp;
  let billing: BillingHandler;

  beforeAll(async () => {
    queue = new Queue('pathors-inbox', { connection, prefix: `${prefix}bull` });
    harness = await createWebhookApp({
      adapter,
      pathors: {
        webhook: { secret: SECRET },
        delivery: {
          store: new RedisIdempotencyStore(redis, { keyPrefix: `${prefix}idempotency:` }),
          inbox: new BullMqInbox({ connection, prefix: `${prefix}bull`, attempts: 5, backoffMs: 20 }),
        },
      },
      providers: [BillingHandler, FailureAlerts],
    });
    billing = harness.get(BillingHandler);
  });
  afterAll(async () => {
    await harness.app.close();
    await queue.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('dead-letters a permanent failure after one attempt, with its reason, and a replay runs it again', async () => {
    billing.failure = 'permanent';
    const event = buildCallEnded();
    expect((await post(harness.server, event)).status).toBe(202);
    const deadLetters = harness.get(PathorsDeadLetterService);
    await eventually(async () => (await deadLetters.count()) === 1, 'dead-lettered');
    const [deadLetter] = await deadLetters.list();
    expect(deadLetter!.attempts).toBe(1);
    expect(deadLetter!.failedReason).toContain(`BillingHandler.bill: no customer for ${event.sessionId}`);
    expect(billing.runs).toEqual([event.sessionId]);

    // Once the customer exists, the dead letter is replayed and succeeds.
    billing.failure = 'none';
    expect(await deadLetters.replay(deadLetter!.id)).toBe(true);
    await eventually(() => billing.runs.length === 2, 'replayed');
    await eventually(async () => (await deadLetters.count()) === 0, 'dead letter gone');
  });

  it('retries any other failure with the inbox attempts', async () => {
    billing.failure = 'transient';
    billing.runs.length = 0;
    const event = buildCallEnded();
    expect((await post(harness.server, event)).status).toBe(202);
    await eventually(() => billing.runs.length >= 2, 'retried');
    billing.failure = 'none';
    await eventually(async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      return Object.values(counts).every((count) => count === 0);
    }, 'processed');
    expect(await harness.get(PathorsDeadLetterService).count()).toBe(0);
  });
});

/** The host app's own "public route" marker, as auth setups define it. */
const Public = Reflector.createDecorator<true>({ transform: () => true });

/** A global guard of the host app: every route needs a session cookie unless marked `@Public()`. */
@Injectable()
class SessionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (isPathorsContext(context)) return true;
    if (this.reflector.getAllAndOverride(Public, [context.getHandler(), context.getClass()])) return true;
    const cookie = context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers.cookie;
    if (cookie !== 'session=ok') throw new UnauthorizedException('Sign in first');
    return true;
  }
}

@Controller('account')
class AccountController {
  @Get()
  account() {
    return { account: 'ok' };
  }
}

describe.each(ADAPTERS)('host-app decorators on the webhook route on %s', (adapter) => {
  const boot = (decorators?: ClassDecorator[]) =>
    createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET, decorators } },
      providers: [BillingHandler, { provide: APP_GUARD, useClass: SessionGuard }],
      controllers: [AccountController],
    });

  it('lets a global guard exempt the webhook through webhook.decorators, by its own metadata', async () => {
    const harness = await boot([Public()]);
    try {
      expect((await request(harness.server).get('/account')).status).toBe(401);
      expect((await request(harness.server).get('/account').set('cookie', 'session=ok')).status).toBe(200);
      expect((await post(harness.server, buildCallEnded())).status).toBe(200);
      expect(harness.get(BillingHandler).runs).toHaveLength(1);
    } finally {
      await harness.app.close();
    }
  });

  it('is refused by the same guard without the decorator', async () => {
    const harness = await boot();
    try {
      expect((await post(harness.server, buildCallEnded())).status).toBe(401);
      expect(harness.get(BillingHandler).runs).toHaveLength(0);
    } finally {
      await harness.app.close();
    }
  });
});
