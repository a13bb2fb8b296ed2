import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { buildCallEnded, buildTextSessionFinalized } from 'nestjs-pathors/testing';
import request from 'supertest';
import { bootDocsApp, ContextLogger } from '../docs-app.js';

const SECRETS = { sales: 'sales-webhook-secret', support: 'support-webhook-secret' };

describe("the README's app with two agents", () => {
  let app: INestApplication;
  const logger = new ContextLogger();
  const post = (agent: 'sales' | 'support', secret: string, payload: object) =>
    request(app.getHttpServer())
      .post(`/pathors/webhooks/${agent}`)
      .set('Authorization', `Bearer ${secret}`)
      .send(payload);

  let close: () => Promise<void>;

  beforeAll(async () => {
    const env = {
      SALES_PATHORS_WEBHOOK_SECRET: SECRETS.sales,
      SUPPORT_PATHORS_WEBHOOK_SECRET: SECRETS.support,
    };
    ({ app, close } = await bootDocsApp('several-agents', env, logger));
  });
  afterAll(() => close?.());

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
