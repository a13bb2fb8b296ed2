import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  answerFor,
  completionBody,
  completionChunks,
  type InboundChatMessage,
} from './simulator-completions.js';
import { ACCEPTED_WEBHOOK_EVENTS, type SimulatorState } from './simulator-state.js';
import { postWebhook } from './simulator-webhooks.js';
import type { SimulatedSession, SimulatorRequest } from './simulator.types.js';

type Json = Record<string, unknown>;

/** An API operation the simulator recognised in a request path. */
interface ResolvedRoute {
  readonly operation: string;
  readonly projectId?: string;
  readonly sessionId?: string;
  readonly legacy: boolean;
}

/** A response to send: JSON (wrapped per the options) or an error of a documented shape. */
class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const E164 = /^\+[1-9]\d{7,14}$/;
/**
 * What the legacy outbound route takes as `toNumber`: E.164, or digits only, as Pathors' legacy integration page has
 * Taiwanese users send local numbers without +886 (`0912345678`). The v1 route takes E.164 only.
 */
const LEGACY_PHONE_NUMBER = /^(?:\+[1-9]\d{7,14}|\d{6,15})$/;
/** A probe waits no longer than this for the app's answer. */
const PROBE_TIMEOUT_MS = 5_000;
const LEGACY_HEADERS = { deprecation: 'true', sunset: 'Wed, 01 Jul 2026 00:00:00 GMT' };

/** `{"error": "…"}`: the string shape, used for validation errors as in the docs. */
const errorText = (status: number, message: string): Reply => new Reply(status, { error: message });
/** `{"error": {"message": "…"}}`: the object shape, used for authentication and platform errors. */
const errorObject = (status: number, message: string, details?: unknown): Reply =>
  new Reply(status, { error: { message, ...(details === undefined ? {} : { details }) } });

/** Maps a request path of either API style onto an operation. */
function resolveRoute(method: string, path: string): ResolvedRoute | undefined {
  const [, v1Project, v1Rest] = /^\/v1\/projects\/([^/]+)(\/.*)?$/.exec(path) ?? [];
  const [, legacyProject, legacyRest] = /^\/api\/project\/([^/]+)\/integration\/api(\/.*)$/.exec(path) ?? [];
  const decode = (value: string): string => decodeURIComponent(value);
  if (method === 'GET' && path === '/v1/projects') return { operation: 'listProjects', legacy: false };
  if (method === 'POST' && path === '/v1/calls/outbound') return { operation: 'outboundCall', legacy: false };
  const [, historyProject] = /^\/project\/([^/]+)\/session$/.exec(path) ?? [];
  if (method === 'GET' && historyProject) {
    return { operation: 'sessionHistory', projectId: decode(historyProject), legacy: true };
  }
  const [, callProject] = /^\/project\/([^/]+)\/integration\/phone\/call\/outbound$/.exec(path) ?? [];
  if (method === 'POST' && callProject)
    return { operation: 'outboundCall', projectId: decode(callProject), legacy: true };

  const projectId = v1Project ?? legacyProject;
  if (!projectId) return undefined;
  const legacy = legacyProject !== undefined;
  // Legacy integration paths say "session" where v1 says "sessions"; otherwise the same tree.
  const rest = (legacy ? legacyRest.replace(/^\/session(?=\/|$)/, '/sessions') : (v1Rest ?? '')) || '/';
  const route = (operation: string, sessionId?: string): ResolvedRoute => ({
    operation,
    projectId: decode(projectId),
    sessionId,
    legacy,
  });
  const [, sessionId] = /^\/sessions\/([^/]+)$/.exec(rest) ?? [];
  const key = `${method} ${rest}`;
  if (key === 'POST /sessions') return route('createSession');
  if (key === 'DELETE /sessions') return route('endSession');
  if (key === 'POST /sessions/terminate') return route('terminateSession');
  if (key === 'POST /sessions/search') return route('searchSessions');
  if (key === 'POST /chat/completions') return route('chatCompletion');
  if (method === 'GET' && sessionId) return route('getSession', decode(sessionId));
  if (!legacy && key === 'GET /session-history') return route('sessionHistory');
  if (!legacy && rest === '/agent' && ['GET', 'PUT', 'PATCH'].includes(method))
    return route(`${method} agent`);
  return undefined;
}

/** Serves one API request against `state`; `record` is the request's entry in the simulator's request log. */
export async function handleApiRequest(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  record: SimulatorRequest,
  body: unknown,
  rawBody: string,
  closed: AbortSignal,
): Promise<void> {
  const fault = state.takeFault(record.method, record.path);
  // A client that gave up (timeout, abort) ends the wait too: no timer outlives the connection.
  if (fault?.delayMs && !(await pause(fault.delayMs, closed))) return;
  if (fault?.status)
    return send(response, record, faultReply(fault.status, fault.body, fault.retryAfterSeconds));

  if (request.headers.authorization !== `Bearer ${state.apiKey}`) {
    return send(response, record, errorObject(401, 'Invalid authentication'));
  }
  const route = resolveRoute(record.method, record.path);
  if (!route) return send(response, record, errorText(404, `No route ${record.method} ${record.path}`));
  const extraHeaders = route.legacy ? LEGACY_HEADERS : {};
  if (route.projectId !== undefined && route.projectId !== state.projectId) {
    return send(
      response,
      record,
      errorObject(403, 'This API key has no access to that project'),
      extraHeaders,
    );
  }
  if (rawBody !== '' && typeof body === 'string') {
    return send(response, record, errorText(400, 'The request body is not valid JSON'), extraHeaders);
  }
  const input: Json = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : {};

  if (route.operation === 'chatCompletion') {
    return chatCompletion(state, request, response, record, input, extraHeaders, closed);
  }
  const webhookBefore = state.agent.postSessionWebhook;
  const reply = operate(state, route, input);
  if (state.probeWebhooks && reply.status === 200 && route.operation.endsWith(' agent')) {
    await probeChangedWebhook(state, webhookBefore);
  }
  return send(response, record, reply, extraHeaders, state.wrapResponses && reply.status < 300);
}

/** POSTs a `webhook.probe` to the agent's webhook when an update changed it, before the update is answered. */
async function probeChangedWebhook(state: SimulatorState, before: unknown): Promise<void> {
  const webhook = state.agent.postSessionWebhook;
  if (!isJson(webhook) || typeof webhook.url !== 'string') return;
  if (JSON.stringify(webhook) === JSON.stringify(before)) return;
  const headers = Array.isArray(webhook.headers)
    ? (webhook.headers as Array<{ key: string; value: string }>)
    : [];
  const probe = {
    event: 'webhook.probe',
    sessionId: `probe_${randomUUID()}`,
    timestamp: new Date().toISOString(),
  };
  state.webhookProbes.push(
    await postWebhook(probe, {
      target: webhook.url,
      headers: Object.fromEntries(headers.map((header) => [header.key, header.value])),
      timeoutMs: PROBE_TIMEOUT_MS,
    }),
  );
}

function operate(state: SimulatorState, route: ResolvedRoute, input: Json): Reply {
  switch (route.operation) {
    case 'listProjects':
      return new Reply(200, { data: [{ id: state.projectId, name: 'Simulated project' }] });
    case 'createSession': {
      if (typeof input.session_id !== 'string' || input.session_id === '') {
        return errorText(400, 'session_id is required');
      }
      // Re-creating an id is undocumented; the simulator keeps the session and merges the variables.
      const session = state.session(input.session_id, { provider: stringOr(input.provider) });
      if (isJson(input.variables)) session.variables = { ...session.variables, ...input.variables };
      return new Reply(200, { sessionId: session.sessionId, pathwayId: state.pathwayId });
    }
    case 'getSession': {
      const session = state.sessions.get(route.sessionId ?? '');
      return session
        ? new Reply(200, sessionBody(session, state.sessionShape))
        : errorText(404, 'Session not found');
    }
    case 'endSession': {
      if (typeof input.session_id !== 'string' || input.session_id === '') {
        return errorText(400, 'session_id is required');
      }
      const session = state.sessions.get(input.session_id);
      if (!session) return errorText(404, 'Session not found');
      // Ending removes the session's variables and context for good.
      state.end(session);
      state.sessions.delete(session.sessionId);
      return new Reply(200, { message: 'Session ended', sessionId: session.sessionId });
    }
    case 'terminateSession':
      return terminate(state, input);
    case 'searchSessions':
      return search(state, input);
    case 'sessionHistory':
      return new Reply(200, {
        data: [...state.sessions.values()].map((session) => ({
          sessionId: session.sessionId,
          createdAt: session.createdAt,
          updatedAt: session.updatedAt,
          messageCount: session.messages.length,
        })),
      });
    case 'outboundCall':
      return outboundCall(state, route, input);
    case 'GET agent':
      return new Reply(200, state.agent);
    case 'PUT agent':
    case 'PATCH agent': {
      const invalid = invalidWebhook(input.postSessionWebhook);
      if (invalid.length > 0) return errorObject(400, 'Invalid postSessionWebhook', invalid);
      state.agent =
        route.operation === 'PUT agent' ? { ...input, id: state.agentId } : { ...state.agent, ...input };
      return new Reply(200, state.agent);
    }
    default:
      return errorText(404, 'Not found');
  }
}

function terminate(state: SimulatorState, input: Json): Reply {
  const sessionId = stringOr(input.session_id);
  const phoneNumber = stringOr(input.phone_number);
  const call = phoneNumber
    ? state.calls.find(
        (candidate) => candidate.toNumber === phoneNumber && candidate.status === 'in-progress',
      )
    : undefined;
  const session = state.sessions.get(sessionId ?? call?.sessionId ?? '');
  if (!session) return errorText(404, 'Session not found');
  if (!session.endedAt) state.end(session);
  return new Reply(200, { success: true, sessionType: session.channel === 'call' ? 'call' : 'chat' });
}

function search(state: SimulatorState, input: Json): Reply {
  if (typeof input.search_string !== 'string' || input.search_string === '') {
    return errorText(400, 'search_string is required');
  }
  const query = input.search_string;
  const limit = typeof input.limit === 'number' ? input.limit : 50;
  const offset = typeof input.offset === 'number' ? input.offset : 0;
  const hits = [...state.sessions.values()]
    .filter((session) => JSON.stringify(session).includes(query))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return new Reply(200, {
    results: hits.slice(offset, offset + limit).map((session) => ({
      sessionId: session.sessionId,
      data: {
        variables: session.variables,
        messages: session.messages.map(({ role, content }) => ({ role, content })),
      },
      createdAt: session.createdAt,
      updatedAt: session.updatedAt,
    })),
    pagination: { limit, offset, total: hits.length },
  });
}

function outboundCall(state: SimulatorState, route: ResolvedRoute, input: Json): Reply {
  if (!route.legacy && input.projectId !== state.projectId) {
    return errorObject(403, 'This API key has no access to that project');
  }
  const fromNumber = stringOr(input.fromNumber);
  const toNumber = stringOr(input.toNumber);
  if (route.legacy) {
    if (!toNumber || !LEGACY_PHONE_NUMBER.test(toNumber)) {
      return errorText(400, 'toNumber must be an E.164 or a local phone number, digits only');
    }
  } else if (!toNumber || !E164.test(toNumber)) {
    return errorText(400, 'toNumber must be an E.164 phone number');
  }
  if (!fromNumber || !state.phoneNumbers.has(fromNumber)) {
    return errorText(404, 'fromNumber is not an active number with an outbound trunk');
  }
  if (state.calls.some((call) => call.toNumber === toNumber && call.status === 'in-progress')) {
    return errorText(409, 'A call to this number is already in progress');
  }
  if (state.credits <= 0) return errorObject(402, 'Insufficient credits');
  state.credits -= 1;
  const sessionId = randomUUID();
  const dynamicVariables = isJson(input.dynamicVariables) ? input.dynamicVariables : {};
  state.session(sessionId, { channel: 'call', provider: 'phone', phoneNumber: toNumber }).variables = {
    ...dynamicVariables,
  };
  state.calls.push({ sessionId, fromNumber, toNumber, dynamicVariables, status: 'in-progress' });
  return new Reply(200, { success: true });
}

async function chatCompletion(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  record: SimulatorRequest,
  input: Json,
  extraHeaders: Record<string, string>,
  closed: AbortSignal,
): Promise<void> {
  const messages = Array.isArray(input.messages) ? (input.messages as InboundChatMessage[]) : undefined;
  if (!messages || messages.length === 0) {
    return send(response, record, errorText(400, 'messages is required'), extraHeaders);
  }
  const header = request.headers['x-session-id'];
  const sessionId = (typeof header === 'string' && header) || stringOr(input.session_id) || randomUUID();
  const session = state.session(sessionId, { provider: 'api' });
  const answer = answerFor(state.completions.shift(), messages);
  state.addMessages(
    session,
    messages.filter((message) => message.role !== 'system'),
  );
  state.addMessages(session, [{ role: 'assistant', content: answer.content }]);
  const headers = { ...extraHeaders, 'x-session-id': sessionId };
  if (input.stream !== true) {
    return send(response, record, new Reply(200, completionBody(answer, messages, sessionId)), headers);
  }
  record.status = 200;
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  for (const chunk of completionChunks(answer)) {
    response.write(`data: ${JSON.stringify(chunk)}\n\n`);
    if (!(await pause(state.streamChunkDelayMs, closed))) return;
  }
  response.end('data: [DONE]\n\n');
}

/** The session in the documented response shape the simulator is set to. */
function sessionBody(session: SimulatedSession, shape: SimulatorState['sessionShape']): Json {
  const messages = session.messages.map(({ role, content }) => ({ role, content }));
  if (shape === 'state')
    return { sessionId: session.sessionId, state: { variables: session.variables, messages } };
  if (shape === 'events') {
    return {
      data: {
        sessionId: session.sessionId,
        startTime: session.createdAt,
        endTime: session.endedAt ?? null,
        messageCount: session.messages.length,
        events: session.messages.map((message) => ({
          type: message.role === 'user' ? 'message.received' : 'message.sent',
          timestamp: message.timestamp,
          data: { message: { role: message.role, content: message.content } },
        })),
      },
    };
  }
  return {
    sessionId: session.sessionId,
    data: { variables: session.variables, messages },
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}

function invalidWebhook(webhook: unknown): string[] {
  if (webhook === undefined || webhook === null) return [];
  if (!isJson(webhook)) return ['postSessionWebhook must be an object or null'];
  const problems: string[] = [];
  if (typeof webhook.url !== 'string' || !/^https?:\/\//.test(webhook.url))
    problems.push('url must be an http(s) URL');
  const headers = webhook.headers ?? [];
  if (
    !Array.isArray(headers) ||
    !headers.every((h) => isJson(h) && typeof h.key === 'string' && typeof h.value === 'string')
  ) {
    problems.push('headers must be an array of { key, value } strings');
  }
  const events = webhook.events ?? [];
  if (!Array.isArray(events) || !events.every((event) => ACCEPTED_WEBHOOK_EVENTS.includes(String(event)))) {
    problems.push(`events must be a subset of ${ACCEPTED_WEBHOOK_EVENTS.join(', ')}`);
  }
  return problems;
}

function faultReply(
  status: number,
  body: string | Json | undefined,
  retryAfterSeconds: number | undefined,
): Reply {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  if (body !== undefined) return new Reply(status, body, headers);
  // Default bodies exercise every shape a client meets: plain text, both JSON shapes.
  if (status === 500) return new Reply(status, 'Internal Server Error', headers);
  if (status === 429) return new Reply(status, { error: 'Rate limit exceeded' }, headers);
  return new Reply(status, { error: { message: `Simulated failure (${status})` } }, headers);
}

function send(
  response: ServerResponse,
  record: SimulatorRequest,
  reply: Reply,
  extraHeaders: Record<string, string> = {},
  wrap = false,
): void {
  const text =
    typeof reply.body === 'string' ? reply.body : JSON.stringify(wrap ? { data: reply.body } : reply.body);
  const contentType = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  record.status = reply.status;
  response.writeHead(reply.status, {
    'content-type': contentType,
    'x-request-id': `req_${randomUUID()}`,
    ...extraHeaders,
    ...reply.headers,
  });
  response.end(text);
}

/** Waits `delayMs`; `false` when the connection closed meanwhile. */
async function pause(delayMs: number, closed: AbortSignal): Promise<boolean> {
  if (delayMs > 0) await sleep(delayMs, undefined, { signal: closed }).catch(() => undefined);
  return !closed.aborted;
}

function isJson(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
