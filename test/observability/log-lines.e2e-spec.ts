import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable, type LoggerService } from '@nestjs/common';
import { OnPathorsEvent } from 'nestjs-pathors';
import { buildSessionCreated, sharedSecretHeaders } from 'nestjs-pathors/testing';
import request from 'supertest';
import { ADAPTERS, useWebhookApp } from '../support/webhook-app.js';

const SECRET = 'log-lines-secret-7c1e';
const PHONE_NUMBER = '+14155550123';

/** Keeps every line the app logs, and the fields object passed after a line's message. */
class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  readonly fields = new Map<string, unknown>();
  log(message: unknown, ...params: unknown[]): void {
    this.record(message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.record(message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.record(message, params);
  }
  private record(message: unknown, params: unknown[]): void {
    this.lines.push(String(message));
    const fields = params.find((param) => typeof param === 'object' && param !== null);
    if (fields) this.fields.set(String(message), fields);
  }
}

@Injectable()
class FailingSessionHandler {
  @OnPathorsEvent('session.created')
  onCreated(): void {
    throw new Error('crm unavailable');
  }

  @OnPathorsEvent('*')
  onAny(): void {}
}

describe.each(ADAPTERS)('log lines on %s', (adapter) => {
  const harness = useWebhookApp({
    adapter,
    pathors: { webhook: { secret: SECRET } },
    providers: [FailingSessionHandler],
  });
  const logger = new RecordingLogger();
  beforeAll(() => harness().app.useLogger(logger));
  beforeEach(() => {
    logger.lines.length = 0;
    logger.fields.clear();
  });

  const post = (payload: object, headers: Record<string, string> = {}) =>
    request(harness().server)
      .post('/pathors/webhooks')
      .set(sharedSecretHeaders(SECRET))
      .set('content-type', 'application/json')
      .set(headers)
      .send(JSON.stringify(payload));

  it("name a failed handler's event and delivery key, not the payload's phone number or the secret", async () => {
    const payload = buildSessionCreated();
    expect(JSON.stringify(payload)).toContain(PHONE_NUMBER);
    expect((await post(payload, { 'webhook-id': 'msg_logged' })).status).toBe(500);

    const [failure] = logger.lines.filter((line) =>
      line.startsWith('Handler FailingSessionHandler.onCreated'),
    );
    expect(failure).toContain('session.created');
    expect(failure).toContain('platform:msg:msg_logged');
    expect(failure).toContain('crm unavailable');
    // The same ids as fields, for log search (NestJS 12 prints them on the line, JSON loggers as keys).
    expect(logger.fields.get(failure)).toEqual({
      eventName: 'session.created',
      deliveryId: 'msg_logged',
      idempotencyKey: 'platform:msg:msg_logged',
      sessionId: payload.id,
      registration: 'default',
      handlerId: 'FailingSessionHandler.onCreated',
    });
    expect(JSON.stringify(logger.fields.get(failure))).not.toContain(PHONE_NUMBER);
    for (const line of logger.lines) {
      expect(line).not.toContain(PHONE_NUMBER);
      expect(line).not.toContain(SECRET);
    }
  });
});
