import { Injectable } from '@nestjs/common';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { PathorsApiClient } from './pathors-api.client.js';
import { PathorsApiError, PathorsInvalidArgumentError, PathorsNetworkError } from './pathors-api.errors.js';
import type {
  PathorsChatCompletion,
  PathorsChatCompletionChunk,
  PathorsChatCompletionInput,
  PathorsChatRole,
} from './pathors-chat.types.js';
import { requireArray, requireOneOf, requireText } from './pathors-input.validation.js';
import { isObject, optionalString } from './pathors-json.util.js';
import type { PathorsRequestOptions } from './pathors-request.options.js';

const ROLES: readonly PathorsChatRole[] = ['system', 'user', 'assistant', 'tool'];
const SESSION_HEADER = 'x-session-id';

/**
 * OpenAI-compatible chat completions of the project's agent, bound to a session (`X-Session-ID`).
 *
 * @example
 * ```ts
 * const reply = await chat.complete({ sessionId: 'user-42', messages: [{ role: 'user', content: 'Hi' }] });
 * for await (const chunk of chat.stream({ sessionId: 'user-42', messages }, { signal })) {
 *   process.stdout.write(chunk.choices[0]?.delta.content ?? '');
 * }
 * ```
 */
@Injectable()
export class PathorsChatService {
  constructor(private readonly client: PathorsApiClient) {}

  /** One completion. Never retried (it adds messages to the session). */
  async complete(
    input: PathorsChatCompletionInput,
    options?: PathorsRequestOptions,
  ): Promise<PathorsChatCompletion> {
    const body = requestBody(input, false);
    const response = await this.client.jsonObject({
      operation: 'chatCompletion',
      headers: { [SESSION_HEADER]: input.sessionId },
      body,
      options,
    });
    const sessionId =
      response.headers.get(SESSION_HEADER) ?? optionalString(response.body.session_id) ?? input.sessionId;
    return { ...(response.body as unknown as Omit<PathorsChatCompletion, 'sessionId'>), sessionId };
  }

  /**
   * A streamed completion: the chunks as they arrive, ending after `data: [DONE]`. The input is validated at once
   * (this throws before returning); the request is sent when iteration starts. Aborting `options.signal` stops the
   * request and makes the iteration reject with the signal's reason; breaking out of the loop closes the connection.
   */
  stream(
    input: PathorsChatCompletionInput,
    options?: PathorsRequestOptions,
  ): AsyncIterable<PathorsChatCompletionChunk> {
    const body = requestBody(input, true);
    const open = (): Promise<Response> =>
      this.client.open({
        operation: 'chatCompletion',
        headers: { [SESSION_HEADER]: input.sessionId },
        body,
        options,
      });
    return { [Symbol.asyncIterator]: () => readChunks(open, options?.signal) };
  }
}

function requestBody(input: PathorsChatCompletionInput, stream: boolean): Record<string, unknown> {
  requireText(input?.sessionId, 'sessionId');
  requireArray(input.messages, 'messages').forEach((message, index) => {
    const field = `messages[${index}]`;
    if (!isObject(message)) throw new PathorsInvalidArgumentError(field, 'must be a message object');
    const { role, content, tool_call_id } = message;
    requireOneOf(role, `${field}.role`, ROLES);
    if (content !== null && typeof content !== 'string') {
      throw new PathorsInvalidArgumentError(
        `${field}.content`,
        'must be a string (or null on an assistant message)',
      );
    }
    if (role === 'tool') requireText(tool_call_id, `${field}.tool_call_id`);
  });
  if (input.tools !== undefined) {
    (input.tools as readonly unknown[]).forEach((tool, index) => {
      const definition = isObject(tool) && isObject(tool.function) ? tool.function : {};
      requireText(definition.name, `tools[${index}].function.name`);
    });
  }
  return { messages: input.messages, ...(input.tools ? { tools: input.tools } : {}), stream };
}

async function* readChunks(
  open: () => Promise<Response>,
  signal: AbortSignal | undefined,
): AsyncGenerator<PathorsChatCompletionChunk> {
  const response = await open();
  if (!response.body) throw streamError('the response has no body', response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  let finished = false;
  try {
    for (;;) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw streamError('the stream broke off', response, error);
      }
      if (read.done) break;
      parser.feed(decoder.decode(read.value, { stream: true }));
      while (pending.length > 0) {
        const data = (pending.shift() as EventSourceMessage).data.trim();
        if (data === '[DONE]') return;
        const chunk = parseChunk(data, response);
        finished ||= chunk.choices.some((choice) => choice.finish_reason);
        yield chunk;
      }
    }
    if (!finished) throw streamError('the stream ended before [DONE]', response);
  } finally {
    // Closes the connection when the consumer stops early or [DONE] arrives before the server closed.
    await reader.cancel().catch(() => undefined);
  }
}

function parseChunk(data: string, response: Response): PathorsChatCompletionChunk {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    throw streamError('a stream event is not JSON', response);
  }
  if (isObject(chunk) && chunk.error !== undefined) {
    const error = chunk.error;
    const message =
      typeof error === 'string' ? error : isObject(error) ? optionalString(error.message) : undefined;
    throw new PathorsApiError(message ?? 'error event in the stream', contextOf(response));
  }
  if (!isObject(chunk) || !Array.isArray(chunk.choices))
    throw streamError('a stream event is not a chunk', response);
  return chunk as unknown as PathorsChatCompletionChunk;
}

function streamError(problem: string, response: Response, cause?: unknown): PathorsNetworkError {
  return new PathorsNetworkError(problem, { ...contextOf(response), cause });
}

function contextOf(response: Response): { method: string; path: string; status: number } {
  return {
    method: 'POST',
    path: new URL(response.url || 'http://pathors/').pathname,
    status: response.status,
  };
}
