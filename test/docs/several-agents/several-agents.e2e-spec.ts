import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { buildCallEnded, buildTextSessionFinalized } from 'nestjs-pathors/testing';
import request from 'supertest';
import { ContextLogger } from '../context-logger.js';

const SECRETS = { sales: 'sales-webhook-secret', support: 'support-webhook-secret' };

describe("the README's app with two agents", () => {
  let app: INestApplication;
  const logger = new ContextLogger();
  const post = (agent: 'sales' | 'support', secret: string, payload: object) =>
    request(app.getHttpServer())
      .post(`/pathors/webhooks/${agent}`)
      .set('Authorization', `Bearer ${secret}`)
      .send(payload);

  beforeAll(async () => {
    process.env.SALES_PATHORS_WEBHOOK_SECRET = SECRETS.sales;
    process.env.SUPPORT_PATHORS_WEBHOOK_SECRET = SECRETS.support;
    const { AppModule } = (await import('./app.module.js')) as { AppModule: Type };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    delete process.env.SALES_PATHORS_WEBHOOK_SECRET;
    delete process.env.SUPPORT_PATHORS_WEBHOOK_SECRET;
  });

  it("hands each agent's events to its handlers, authenticated with its own secret", async () => {
    await post(
      'sales',
      SECRETS.sales,
      buildCallEnded({ sessionId: 'lead-1', callStatus: 'voicemail' }),
    ).expect(200);
    await post('support', SECRETS.support, buildCallEnded({ sessionId: 'ticket-1' })).expect(202);
    await post('support', SECRETS.sales, buildTextSessionFinalized({ sessionId: 'ticket-1' })).expect(401);
    await post('support', SECRETS.support, buildTextSessionFinalized({ sessionId: 'ticket-1' })).expect(200);

    expect(logger.of('AgentOutcomes')).toEqual([
      'Sales call lead-1 ended: voicemail',
      'support session ticket-1 finalized',
    ]);
  });
});
