import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PathorsApiError,
  PathorsAuthenticationError,
  PathorsConfigurationError,
  PathorsForbiddenError,
  PathorsNetworkError,
  PathorsNotFoundError,
  PathorsRateLimitError,
  PathorsServerError,
  PathorsTimeoutError,
} from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp, type ApiApp } from './support/api-app.js';

describe('API errors, retries and timeouts', () => {
  const simulator = new PathorsSimulator();
  let api: ApiApp;

  beforeAll(async () => {
    await simulator.start();
    api = await createApiApp(simulator);
    await api.sessions.createSession({ sessionId: 'known' });
  });
  afterEach(() => {
    simulator.clearRequests();
    simulator.resetFaults();
  });
  afterAll(async () => {
    await api.close();
    await simulator.stop();
  });

  describe('error classes, message, status and request id', () => {
    it('401 → PathorsAuthenticationError; the key never appears in the message', async () => {
      const wrongKey = 'dk_wrong_key_0123456789';
      const other = await createApiApp(simulator, { apiKey: wrongKey });
      try {
        const failure = await other.sessions.getSession('known').catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(PathorsAuthenticationError);
        expect(failure).toMatchObject({
          status: 401,
          apiMessage: 'Invalid authentication',
          requestId: expect.stringMatching(/^req_/),
        });
        expect(String((failure as Error).message)).not.toContain(wrongKey);
        expect(JSON.stringify(failure)).not.toContain(wrongKey);
      } finally {
        await other.close();
      }
    });

    it('403 → PathorsForbiddenError (a project the key cannot act on)', async () => {
      const other = await createApiApp(simulator, { projectId: 'proj_someone_else' });
      try {
        await expect(other.sessions.getSession('known')).rejects.toMatchObject({
          constructor: PathorsForbiddenError,
          status: 403,
        });
      } finally {
        await other.close();
      }
    });

    it('404 → PathorsNotFoundError with the string error shape parsed', async () => {
      await expect(api.sessions.getSession('missing')).rejects.toMatchObject({
        constructor: PathorsNotFoundError,
        status: 404,
        apiMessage: 'Session not found',
        method: 'GET',
        path: '/v1/projects/proj_simulator/sessions/missing',
      });
    });

    it('the object error shape carries details', async () => {
      simulator.failNext(1, 422, {
        body: { error: { message: 'Invalid postSessionWebhook', details: ['url'] } },
      });

      const failure = await api.agent.getAgent().catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(PathorsApiError);
      expect(failure).toMatchObject({
        status: 422,
        apiMessage: 'Invalid postSessionWebhook',
        details: ['url'],
      });
    });

    it('a non-JSON body becomes the message (HTML tags stripped)', async () => {
      simulator.failNext(3, 502, { body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });

      await expect(api.sessions.getSession('known')).rejects.toMatchObject({
        constructor: PathorsServerError,
        status: 502,
        apiMessage: '502 Bad Gateway',
        attempts: 3,
      });
    });

    it('an API key echoed back by a proxy is redacted', async () => {
      simulator.failNext(1, 400, { body: { error: `bad key ${simulator.apiKey}` } });

      const failure = (await api.sessions
        .createSession({ sessionId: 'x' })
        .catch((e: unknown) => e)) as Error;

      expect(failure.message).toContain('bad key [redacted]');
      expect(failure.message).not.toContain(simulator.apiKey);
    });
  });

  describe('retries', () => {
    it('retries 5xx of a request safe to repeat, then succeeds', async () => {
      simulator.failNext(2, 503);

      await expect(api.sessions.getSession('known')).resolves.toMatchObject({ sessionId: 'known' });
      expect(simulator.requests().map((request) => request.status)).toEqual([503, 503, 200]);
    });

    it('gives up after retry.maxAttempts with the last error', async () => {
      simulator.failNext(5, 500);

      const failure = await api.sessions.getSession('known').catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(PathorsServerError);
      expect(failure).toMatchObject({ status: 500, apiMessage: 'Internal Server Error', attempts: 3 });
      expect(simulator.requests()).toHaveLength(3);
    });

    it('waits at least Retry-After on 429 before the retry', async () => {
      simulator.rateLimitNext(1, 1);
      const started = Date.now();

      await expect(api.sessions.searchSessions({ query: 'known' })).resolves.toMatchObject({
        pagination: { total: 1 },
      });

      expect(simulator.requests().map((request) => request.status)).toEqual([429, 200]);
      // Backoff is 1-2 ms in these tests: only Retry-After explains a second's wait.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    });

    it('throws PathorsRateLimitError at once when Retry-After exceeds retry.maxDelayMs', async () => {
      simulator.rateLimitNext(1, 60);

      const failure = await api.sessions.getSession('known').catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(PathorsRateLimitError);
      expect(failure).toMatchObject({ status: 429, retryAfterMs: 60_000, apiMessage: 'Rate limit exceeded' });
      expect(simulator.requests()).toHaveLength(1);
    });

    it('does not retry a request that is not safe to repeat (create session)', async () => {
      simulator.failNext(1, 503);

      await expect(api.sessions.createSession({ sessionId: 'once' })).rejects.toBeInstanceOf(
        PathorsServerError,
      );
      expect(simulator.requests()).toHaveLength(1);
    });

    it('does not retry a 4xx', async () => {
      await expect(api.sessions.getSession('missing')).rejects.toBeInstanceOf(PathorsNotFoundError);
      expect(simulator.requests()).toHaveLength(1);
    });

    it('a per-call maxAttempts overrides the module option', async () => {
      simulator.failNext(2, 503);

      await expect(api.sessions.getSession('known', { maxAttempts: 1 })).rejects.toBeInstanceOf(
        PathorsServerError,
      );
      expect(simulator.requests()).toHaveLength(1);
    });
  });

  describe('timeouts and network errors', () => {
    it('times out a slow answer (PathorsTimeoutError), retrying it when safe', async () => {
      simulator.delayNext(2, 1000);

      const failure = await api.sessions
        .getSession('known', { timeoutMs: 100, maxAttempts: 2 })
        .catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(PathorsTimeoutError);
      expect(failure).toMatchObject({ attempts: 2 });
      expect((failure as Error).message).toContain('no response within 100 ms');
    });

    it('succeeds when only the first attempt is slow', async () => {
      simulator.delayNext(1, 1000);

      await expect(api.sessions.getSession('known', { timeoutMs: 200 })).resolves.toMatchObject({
        sessionId: 'known',
      });
    });

    it('reports a refused connection as PathorsNetworkError', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const offline = await createApiApp(simulator, { baseUrl: `http://127.0.0.1:${port}` });
      try {
        const failure = await offline.sessions.getSession('known').catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(PathorsNetworkError);
        expect(failure).toMatchObject({ attempts: 3, status: undefined });
      } finally {
        await offline.close();
      }
    });

    it('a caller abort rejects with the abort reason, not a Pathors error', async () => {
      simulator.delayNext(1, 2000);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);

      const failure = await api.sessions
        .getSession('known', { signal: controller.signal })
        .catch((e: unknown) => e);

      expect(failure).toMatchObject({ name: 'AbortError' });
      expect(failure).not.toBeInstanceOf(PathorsApiError);
    });
  });

  describe('connections', () => {
    it('reuses keep-alive connections across requests', async () => {
      for (let i = 0; i < 20; i++) await api.sessions.getSession('known');

      expect(simulator.requests()).toHaveLength(20);
      // Without keep-alive every request would open its own connection. undici may open a second one when the
      // next request is dispatched before the previous socket returned to the pool.
      expect(simulator.connectionCount()).toBeLessThanOrEqual(2);
    });
  });

  describe('a webhook-only app', () => {
    it('boots without apiKey and projectId, and fails at the first call naming the option', async () => {
      const bare = await createApiApp(simulator, { apiKey: undefined, projectId: undefined });
      try {
        await expect(bare.sessions.getSession('known')).rejects.toThrow(PathorsConfigurationError);
        await expect(bare.sessions.getSession('known')).rejects.toThrow(/option "apiKey" is not set/);
      } finally {
        await bare.close();
      }
      const keyOnly = await createApiApp(simulator, { projectId: undefined });
      try {
        await expect(
          keyOnly.calls.startOutboundCall({ fromNumber: '+14155550100', toNumber: '+14155550123' }),
        ).rejects.toThrow(/option "projectId" is not set/);
      } finally {
        await keyOnly.close();
      }
      expect(simulator.requests()).toHaveLength(0);
    });
  });
});
