import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PathorsInvalidArgumentError, PathorsNotFoundError, PathorsBadRequestError } from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { createApiApp, type ApiApp } from './support/api-app.js';

describe.each(['v1', 'legacy'] as const)('PathorsSessionService over %s paths', (apiStyle) => {
  const simulator = new PathorsSimulator();
  let api: ApiApp;

  beforeAll(async () => {
    await simulator.start();
    api = await createApiApp(simulator, { apiStyle });
  });
  afterEach(() => simulator.clearRequests());
  afterAll(async () => {
    await api.close();
    await simulator.stop();
  });

  const pathPrefix =
    apiStyle === 'v1'
      ? '/v1/projects/proj_simulator/sessions'
      : '/api/project/proj_simulator/integration/api/session';

  it('creates a session with variables and provider, on the documented path and body', async () => {
    const created = await api.sessions.createSession({
      sessionId: `create-${apiStyle}`,
      variables: { plan: 'growth' },
      provider: 'api',
    });

    expect(created).toEqual({ sessionId: `create-${apiStyle}`, pathwayId: 'pathway_proj_simulator' });
    const [request] = simulator.requests();
    expect(request).toMatchObject({
      method: 'POST',
      path: pathPrefix,
      body: { session_id: `create-${apiStyle}`, variables: { plan: 'growth' }, provider: 'api' },
    });
    expect(simulator.session(`create-${apiStyle}`)?.variables).toEqual({ plan: 'growth' });
  });

  it('reads a session with its transcript', async () => {
    await api.sessions.createSession({ sessionId: `read-${apiStyle}`, variables: { name: 'Nancy' } });
    await api.chat.complete({
      sessionId: `read-${apiStyle}`,
      messages: [{ role: 'user', content: 'Hello' }],
    });

    const session = await api.sessions.getSession(`read-${apiStyle}`);

    expect(session).toMatchObject({
      sessionId: `read-${apiStyle}`,
      variables: { name: 'Nancy' },
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'You said: Hello' },
      ],
      messageCount: 2,
    });
    expect(simulator.requests().at(-1)?.path).toBe(`${pathPrefix}/read-${apiStyle}`);
  });

  it('ends a session for good: a later read is a PathorsNotFoundError', async () => {
    await api.sessions.createSession({ sessionId: `end-${apiStyle}` });

    await expect(api.sessions.endSession(`end-${apiStyle}`)).resolves.toEqual({
      sessionId: `end-${apiStyle}`,
      message: 'Session ended',
    });
    expect(simulator.requests().at(-1)).toMatchObject({
      method: 'DELETE',
      path: pathPrefix,
      body: { session_id: `end-${apiStyle}` },
    });
    await expect(api.sessions.getSession(`end-${apiStyle}`)).rejects.toThrow(PathorsNotFoundError);
  });

  it('terminates a live session', async () => {
    await api.sessions.createSession({ sessionId: `live-${apiStyle}` });

    await expect(
      api.sessions.terminateSession({ sessionId: `live-${apiStyle}`, message: 'Bye' }),
    ).resolves.toEqual({
      success: true,
      sessionType: 'chat',
    });
    expect(simulator.requests().at(-1)).toMatchObject({
      path: `${pathPrefix}/terminate`,
      body: { session_id: `live-${apiStyle}`, message: 'Bye' },
    });
    expect(simulator.session(`live-${apiStyle}`)?.endedAt).toBeDefined();
  });

  it('searches one page, and iterates every page of a search', async () => {
    for (let i = 0; i < 5; i++) {
      await api.sessions.createSession({
        sessionId: `search-${apiStyle}-${i}`,
        variables: { tag: `tag-${apiStyle}` },
      });
    }

    const page = await api.sessions.searchSessions({ query: `tag-${apiStyle}`, limit: 2, offset: 1 });
    expect(page.pagination).toEqual({ limit: 2, offset: 1, total: 5 });
    expect(page.results).toHaveLength(2);
    expect(simulator.requests().at(-1)).toMatchObject({
      path: `${pathPrefix}/search`,
      body: { search_string: `tag-${apiStyle}`, limit: 2, offset: 1 },
    });

    const pages = [];
    for await (const each of api.sessions.searchSessionPages({ query: `tag-${apiStyle}`, limit: 2 }))
      pages.push(each);
    expect(pages.map((each) => each.results.length)).toEqual([2, 2, 1]);
    const ids = pages.flatMap((each) => each.results.map((hit) => hit.sessionId));
    expect(new Set(ids)).toEqual(new Set([0, 1, 2, 3, 4].map((i) => `search-${apiStyle}-${i}`)));
  });

  it('lists the session history', async () => {
    await api.sessions.createSession({ sessionId: `history-${apiStyle}` });

    const history = await api.sessions.sessionHistory();

    expect(history.map((entry) => entry.sessionId)).toContain(`history-${apiStyle}`);
    expect(simulator.requests().at(-1)?.path).toBe(
      apiStyle === 'v1' ? '/v1/projects/proj_simulator/session-history' : '/project/proj_simulator/session',
    );
  });

  it('rejects invalid input naming the field, without sending anything', async () => {
    await expect(api.sessions.createSession({ sessionId: '' })).rejects.toMatchObject({
      constructor: PathorsInvalidArgumentError,
      field: 'sessionId',
    });
    await expect(
      api.sessions.createSession({ sessionId: 'x', variables: [] as unknown as Record<string, unknown> }),
    ).rejects.toMatchObject({ field: 'variables' });
    await expect(api.sessions.terminateSession({})).rejects.toMatchObject({ field: 'sessionId' });
    await expect(api.sessions.terminateSession({ phoneNumber: '415-555-0123' })).rejects.toMatchObject({
      field: 'phoneNumber',
    });
    await expect(api.sessions.searchSessions({ query: 'x', limit: 0 })).rejects.toMatchObject({
      field: 'limit',
    });
    expect(simulator.requests()).toHaveLength(0);
  });

  it('warns once when Pathors marks the paths deprecated (legacy only)', async () => {
    const other = await createApiApp(simulator, { apiStyle });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await other.sessions.createSession({ sessionId: `deprecated-${apiStyle}` });
      await other.sessions.getSession(`deprecated-${apiStyle}`);

      const warnings = warn.mock.calls.map(([message]) => String(message));
      expect(warnings.filter((message) => message.includes('deprecated'))).toHaveLength(
        apiStyle === 'legacy' ? 1 : 0,
      );
      expect(warnings.join()).not.toContain(simulator.apiKey);
    } finally {
      warn.mockRestore();
      await other.close();
    }
  });

  it("surfaces Pathors' own 400 message", async () => {
    // The client validates first, so a raw 400 only comes from the server side: script one.
    simulator.failNext(1, 400, { body: { error: 'session_id is required' } });

    const failure = await api.sessions.createSession({ sessionId: 'bad' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PathorsBadRequestError);
    expect(failure).toMatchObject({ status: 400, apiMessage: 'session_id is required' });
  });
});

describe('getSession normalises every documented response shape', () => {
  it.each(['data', 'state', 'events'] as const)('shape %s', async (sessionShape) => {
    const simulator = new PathorsSimulator({ sessionShape });
    await simulator.start();
    const api = await createApiApp(simulator);
    try {
      await api.sessions.createSession({ sessionId: 's-1', variables: { name: 'Nancy' } });
      await api.chat.complete({ sessionId: 's-1', messages: [{ role: 'user', content: 'Hi' }] });

      const session = await api.sessions.getSession('s-1');

      expect(session.sessionId).toBe('s-1');
      expect(session.messages.map(({ role, content }) => ({ role, content }))).toEqual([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'You said: Hi' },
      ]);
      expect(session.messageCount).toBe(2);
      // The events shape carries no variables; the two others do.
      expect(session.variables).toEqual(sessionShape === 'events' ? {} : { name: 'Nancy' });
      if (sessionShape === 'events') expect(session.messages[0].timestamp).toEqual(expect.any(String));
    } finally {
      await api.close();
      await simulator.stop();
    }
  });

  it('unwraps {data: …} envelopes of every response', async () => {
    const simulator = new PathorsSimulator({ wrapResponses: true });
    await simulator.start();
    const api = await createApiApp(simulator);
    try {
      await expect(api.sessions.createSession({ sessionId: 'w-1', variables: { a: 1 } })).resolves.toEqual({
        sessionId: 'w-1',
        pathwayId: 'pathway_proj_simulator',
      });
      await expect(api.sessions.getSession('w-1')).resolves.toMatchObject({
        sessionId: 'w-1',
        variables: { a: 1 },
      });
      await expect(api.sessions.searchSessions({ query: 'w-1' })).resolves.toMatchObject({
        pagination: { total: 1 },
      });
    } finally {
      await api.close();
      await simulator.stop();
    }
  });
});
