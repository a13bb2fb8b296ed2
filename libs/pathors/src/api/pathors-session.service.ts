import { Injectable } from '@nestjs/common';
import { PathorsApiClient } from './pathors-api.client.js';
import { PathorsInvalidArgumentError } from './pathors-api.errors.js';
import {
  optionalInteger,
  optionalObject,
  optionalText,
  requirePhoneNumber,
  requireText,
} from './pathors-input.validation.js';
import {
  isObject,
  numberOr,
  optionalString,
  stringOr,
  type JsonObject as Json,
} from './pathors-json.util.js';
import type { PathorsRequestOptions } from './pathors-request.options.js';
import type {
  CreatePathorsSessionInput,
  PathorsCreatedSession,
  PathorsEndedSession,
  PathorsSession,
  PathorsSessionHistoryEntry,
  PathorsSessionMessage,
  PathorsSessionSearchPage,
  PathorsSessionSearchResult,
  PathorsTerminatedSession,
  SearchPathorsSessionsInput,
  TerminatePathorsSessionInput,
} from './pathors-session.types.js';

/**
 * Typed client of Pathors sessions: create, read (transcript normalised), end, terminate, search and list.
 * Every method validates its input before sending anything and rejects with a `PathorsApiError` subclass.
 *
 * @example
 * ```ts
 * await sessions.createSession({ sessionId: `user-${user.id}`, variables: { plan: user.plan } });
 * const { messages } = await sessions.getSession(`user-${user.id}`);
 * ```
 */
@Injectable()
export class PathorsSessionService {
  constructor(private readonly client: PathorsApiClient) {}

  /** The project the service acts on (module option `projectId`), if configured. */
  get projectId(): string | undefined {
    return this.client.configuredProjectId;
  }

  /** Creates a session with your own id; its variables are available to the pathway. */
  async createSession(
    input: CreatePathorsSessionInput,
    options?: PathorsRequestOptions,
  ): Promise<PathorsCreatedSession> {
    const body = {
      session_id: requireText(input?.sessionId, 'sessionId'),
      variables: optionalObject(input.variables, 'variables'),
      provider: optionalText(input.provider, 'provider'),
    };
    const response = await this.client.jsonObject({ operation: 'createSession', body, options });
    return {
      sessionId: stringOr(response.body.sessionId, body.session_id),
      pathwayId: optionalString(response.body.pathwayId),
    };
  }

  /** Reads a session and its transcript. Rejects with `PathorsNotFoundError` for an unknown id. */
  async getSession(sessionId: string, options?: PathorsRequestOptions): Promise<PathorsSession> {
    const id = requireText(sessionId, 'sessionId');
    const response = await this.client.json<unknown>({ operation: 'getSession', sessionId: id, options });
    return normaliseSession(response.body, id);
  }

  /** Ends a session for good: Pathors deletes its variables and context. */
  async endSession(sessionId: string, options?: PathorsRequestOptions): Promise<PathorsEndedSession> {
    const id = requireText(sessionId, 'sessionId');
    const response = await this.client.jsonObject({
      operation: 'endSession',
      body: { session_id: id },
      options,
    });
    return {
      sessionId: stringOr(response.body.sessionId, id),
      message: optionalString(response.body.message),
    };
  }

  /** Force-stops a live session or call, by session id or by the call's phone number. */
  async terminateSession(
    input: TerminatePathorsSessionInput,
    options?: PathorsRequestOptions,
  ): Promise<PathorsTerminatedSession> {
    const sessionId = optionalText(input?.sessionId, 'sessionId');
    const phoneNumber =
      input.phoneNumber === undefined
        ? undefined
        : requirePhoneNumber(input.phoneNumber, 'phoneNumber', this.client.apiStyle);
    if (sessionId === undefined && phoneNumber === undefined) {
      throw new PathorsInvalidArgumentError(
        'sessionId',
        'give sessionId or phoneNumber to say what to terminate',
      );
    }
    const body = {
      session_id: sessionId,
      phone_number: phoneNumber,
      message: optionalText(input.message, 'message'),
    };
    const response = await this.client.jsonObject({
      operation: 'terminateSession',
      body,
      options,
    });
    return {
      success: response.body.success !== false,
      sessionType: optionalString(response.body.sessionType),
    };
  }

  /** One page of sessions whose JSON contains `query` (case-sensitive), newest first. */
  async searchSessions(
    input: SearchPathorsSessionsInput,
    options?: PathorsRequestOptions,
  ): Promise<PathorsSessionSearchPage> {
    const body = {
      search_string: requireText(input?.query, 'query'),
      limit: optionalInteger(input.limit, 'limit', 1, 1000),
      offset: optionalInteger(input.offset, 'offset', 0, Number.MAX_SAFE_INTEGER),
    };
    const response = await this.client.jsonObject({ operation: 'searchSessions', body, options });
    const results = Array.isArray(response.body.results) ? response.body.results.map(toSearchResult) : [];
    const pagination = (response.body.pagination ?? {}) as Json;
    return {
      results,
      pagination: {
        limit: numberOr(pagination.limit, body.limit ?? 50),
        offset: numberOr(pagination.offset, body.offset ?? 0),
        total: numberOr(pagination.total, results.length),
      },
    };
  }

  /**
   * Every page of a search, fetched one after the other as you iterate; stops after the last page.
   *
   * @example
   * ```ts
   * for await (const page of sessions.searchSessionPages({ query: 'crm-42' })) {
   *   for (const hit of page.results) console.log(hit.sessionId);
   * }
   * ```
   */
  async *searchSessionPages(
    input: Omit<SearchPathorsSessionsInput, 'offset'>,
    options?: PathorsRequestOptions,
  ): AsyncIterableIterator<PathorsSessionSearchPage> {
    requireText(input?.query, 'query');
    let offset = 0;
    for (;;) {
      const page = await this.searchSessions({ ...input, offset }, options);
      if (page.results.length > 0) yield page;
      offset += page.results.length;
      if (page.results.length === 0 || offset >= page.pagination.total) return;
    }
  }

  /** The project's session history, as Pathors lists it. */
  async sessionHistory(options?: PathorsRequestOptions): Promise<PathorsSessionHistoryEntry[]> {
    const response = await this.client.json<unknown>({ operation: 'sessionHistory', options });
    const body = response.body as Json | unknown[] | undefined;
    const list = Array.isArray(body) ? body : firstArray(body, ['sessions', 'results', 'items', 'data']);
    return list.filter(isObject).map((entry) => ({
      sessionId: stringOr(entry.sessionId ?? entry.id ?? entry.session_id, ''),
      createdAt: optionalString(entry.createdAt),
      updatedAt: optionalString(entry.updatedAt),
      raw: entry,
    }));
  }
}

/** Maps the three documented `GET session` shapes onto {@link PathorsSession}. */
function normaliseSession(body: unknown, requestedId: string): PathorsSession {
  const root = isObject(body) ? body : {};
  const holder = [root.data, root.state].find(isObject) ?? root;
  const events = Array.isArray(holder.events)
    ? holder.events
    : Array.isArray(root.events)
      ? root.events
      : undefined;
  const messages = events ? events.flatMap(messageFromEvent) : messagesFrom(holder.messages);
  const pick = (key: string): string | undefined => optionalString(root[key] ?? holder[key]);
  return {
    sessionId: stringOr(root.sessionId ?? holder.sessionId, requestedId),
    variables: isObject(holder.variables) ? holder.variables : {},
    messages,
    messageCount: numberOr(holder.messageCount ?? root.messageCount, messages.length),
    createdAt: pick('createdAt'),
    updatedAt: pick('updatedAt'),
    startTime: pick('startTime'),
    endTime: pick('endTime'),
    raw: body,
  };
}

function messagesFrom(value: unknown): PathorsSessionMessage[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((message) => toMessage(message, optionalString(message.timestamp)));
}

function messageFromEvent(event: unknown): PathorsSessionMessage[] {
  if (!isObject(event) || !isObject(event.data) || !isObject(event.data.message)) return [];
  return [toMessage(event.data.message, optionalString(event.timestamp))];
}

function toMessage(message: Json, timestamp: string | undefined): PathorsSessionMessage {
  const content =
    typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? '');
  return { role: stringOr(message.role, 'unknown'), content, ...(timestamp ? { timestamp } : {}) };
}

function toSearchResult(entry: unknown): PathorsSessionSearchResult {
  const hit = isObject(entry) ? entry : {};
  return {
    sessionId: stringOr(hit.sessionId, ''),
    data: hit.data,
    createdAt: optionalString(hit.createdAt),
    updatedAt: optionalString(hit.updatedAt),
  };
}

function firstArray(body: unknown, keys: readonly string[]): unknown[] {
  if (!isObject(body)) return [];
  const found = keys.map((key) => body[key]).find(Array.isArray);
  return found ?? [];
}
