import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { PathorsBadRequestError, PathorsInvalidArgumentError } from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { createApiApp, type ApiApp } from './support/api-app.js';

describe('PathorsAgentService', () => {
  const simulator = new PathorsSimulator();
  let api: ApiApp;
  const webhook = {
    url: 'https://app.example.com/pathors/webhooks',
    headers: [{ key: 'Authorization', value: 'Bearer s3cret' }],
    events: ['session.finalized', 'call.ended'],
  };

  beforeAll(async () => {
    await simulator.start();
    api = await createApiApp(simulator);
  });
  afterEach(() => {
    simulator.setAgentConfig({ ...simulator.agentConfig(), postSessionWebhook: null });
    simulator.clearRequests();
  });
  afterAll(async () => {
    await api.close();
    await simulator.stop();
  });

  it('reads the whole agent configuration', async () => {
    await expect(api.agent.getAgent()).resolves.toEqual(simulator.agentConfig());
    await expect(api.agent.getPostSessionWebhook()).resolves.toBeNull();
  });

  it('sets the webhook by read-modify-write, keeping every other field, and writes nothing the second time', async () => {
    const before = simulator.agentConfig();

    await expect(api.agent.setPostSessionWebhook(webhook)).resolves.toEqual({ changed: true, webhook });
    expect(simulator.agentConfig()).toEqual({ ...before, postSessionWebhook: webhook });

    simulator.clearRequests();
    const reordered = { ...webhook, events: ['call.ended', 'session.finalized'] };
    await expect(api.agent.setPostSessionWebhook(reordered)).resolves.toEqual({ changed: false, webhook });
    expect(simulator.requests().map((request) => request.method)).toEqual(['GET']);
  });

  it('derives the webhook from the current one, and removes it with null', async () => {
    simulator.setAgentConfig({ ...simulator.agentConfig(), postSessionWebhook: webhook });

    const update = await api.agent.setPostSessionWebhook((current) => ({
      ...(current ?? webhook),
      events: ['session.ended'],
    }));
    expect(update).toMatchObject({ changed: true, webhook: { url: webhook.url, events: ['session.ended'] } });

    await expect(api.agent.setPostSessionWebhook(null)).resolves.toEqual({ changed: true, webhook: null });
    expect(simulator.agentConfig().postSessionWebhook).toBeNull();
  });

  it('replaces the configuration with updateAgent (PUT)', async () => {
    const config = { ...simulator.agentConfig(), postSessionVariableKeys: ['intention', 'budget'] };

    await expect(api.agent.updateAgent(config)).resolves.toMatchObject({
      postSessionVariableKeys: ['intention', 'budget'],
    });
    expect(simulator.requests().at(-1)).toMatchObject({
      method: 'PUT',
      path: '/v1/projects/proj_simulator/agent',
    });
    expect(simulator.agentConfig().postSessionVariableKeys).toEqual(['intention', 'budget']);
  });

  it.each([
    ['postSessionWebhook.url', { url: 'not a url' }],
    ['postSessionWebhook.headers[0].key', { url: 'https://x.example', headers: [{ key: '', value: 'v' }] }],
    ['postSessionWebhook.events[0]', { url: 'https://x.example', events: [''] }],
  ])('validates %s before sending', async (field, invalid) => {
    await expect(api.agent.setPostSessionWebhook(invalid)).rejects.toMatchObject({
      constructor: PathorsInvalidArgumentError,
      field,
    });
    expect(simulator.requests()).toHaveLength(0);
  });

  it("surfaces Pathors' rejection of an event it does not accept, with details", async () => {
    const failure = await api.agent
      .setPostSessionWebhook({ url: 'https://x.example', events: ['session.created'] })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PathorsBadRequestError);
    expect(failure).toMatchObject({
      status: 400,
      apiMessage: 'Invalid postSessionWebhook',
      details: [expect.stringContaining('events must be a subset')],
    });
  });
});
