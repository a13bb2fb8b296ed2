import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { OnPathorsEvent } from 'nestjs-pathors';
import { buildCallEnded, sharedSecretHeaders } from 'nestjs-pathors/testing';
import request from 'supertest';
import { useWebhookApp } from '../support/webhook-app.js';
import { useTelemetrySdk } from './support/telemetry-sdk.js';

const SECRET = 'partial-sdk-secret-41d0';

@Injectable()
class CallHandler {
  readonly handled: string[] = [];

  @OnPathorsEvent('call.ended')
  onCallEnded(event: { sessionId: string }): void {
    this.handled.push(event.sessionId);
  }
}

/** Boots the app, delivers one call.ended, and checks the handler got it. */
function useDelivery() {
  const harness = useWebhookApp({
    adapter: 'express',
    pathors: { webhook: { secret: SECRET } },
    providers: [CallHandler],
  });
  return async () => {
    const payload = buildCallEnded();
    const response = await request(harness().server)
      .post('/pathors/webhooks')
      .set(sharedSecretHeaders(SECRET))
      .send(payload);
    expect(response.status).toBe(200);
    expect(harness().get(CallHandler).handled).toEqual([payload.sessionId]);
    return payload;
  };
}

// An app may register only one of the providers: what it registered records, and the other costs nothing.
describe('an SDK with metrics only', () => {
  const sdk = useTelemetrySdk({ traces: false });
  const deliver = useDelivery();

  it('counts the delivery and times its handler without any span', async () => {
    await deliver();
    const collected = await sdk.collect();
    expect(collected.sum('pathors.webhook.deliveries', { 'pathors.outcome': 'handled' })).toBe(1);
    expect(
      collected.count('pathors.handler.duration', { 'pathors.handler.id': 'CallHandler.onCallEnded' }),
    ).toBe(1);
    expect(collected.count('pathors.webhook.answer.duration', { 'http.response.status_code': 200 })).toBe(1);
    expect(sdk.spans()).toEqual([]);
  });
});

describe('an SDK with traces only', () => {
  const sdk = useTelemetrySdk({ metrics: false });
  const deliver = useDelivery();

  it('traces the delivery and its handler', async () => {
    const payload = await deliver();
    const [delivery] = sdk.spansNamed('pathors.webhook.receive');
    expect(delivery?.attributes).toMatchObject({
      'pathors.event.name': 'call.ended',
      'pathors.session.id': payload.sessionId,
      'pathors.outcome': 'handled',
      'http.response.status_code': 200,
    });
    expect(sdk.childrenOf(delivery!).map((span) => span.name)).toContain(
      'pathors.handler CallHandler.onCallEnded',
    );
  });
});
