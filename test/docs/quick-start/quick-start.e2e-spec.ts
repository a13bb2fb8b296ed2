import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { buildCallEnded } from 'nestjs-pathors/testing';
import request from 'supertest';
import { bootDocsApp, ContextLogger } from '../docs-app.js';

/** The secret the quick start reads from `PATHORS_WEBHOOK_SECRET`. */
const SECRET = 'quick-start-secret';

describe("the README's quick start", () => {
  let app: INestApplication;
  const logger = new ContextLogger();
  const handlerLines = () => logger.of('CallOutcomesHandler');

  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ app, close } = await bootDocsApp('quick-start', { PATHORS_WEBHOOK_SECRET: SECRET }, logger));
  });
  afterAll(() => close?.());

  it('refuses a call.ended without the secret, before the handler', async () => {
    const event = buildCallEnded();
    const response = await request(app.getHttpServer()).post('/pathors/webhooks').send(event);

    expect(response.status).toBe(401);
    expect(handlerLines()).toEqual([]);
  });

  it('hands a call.ended carrying the secret to the handler once, a redelivery answered as a duplicate', async () => {
    const event = buildCallEnded({ callStatus: 'busy', callDuration: 0 });
    const post = () =>
      request(app.getHttpServer())
        .post('/pathors/webhooks')
        .set('Authorization', `Bearer ${SECRET}`)
        .send(event);

    const first = await post();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true });
    expect(handlerLines()).toEqual([`Call ${event.sessionId} ended: busy after 0 s`]);

    const again = await post();
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, note: 'duplicate: already processed' });
    expect(handlerLines()).toHaveLength(1);
  });
});
