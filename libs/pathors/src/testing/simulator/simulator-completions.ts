import { randomUUID } from 'node:crypto';
import type { SimulatedCompletion } from './simulator.types.js';

const MODEL = 'pathors-simulator';

/** An inbound chat message as the simulator reads it. */
export interface InboundChatMessage {
  readonly role: string;
  readonly content: string | null;
}

interface ToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/** The assistant's answer to a completion request: scripted, or derived from the last message. */
export interface CompletionAnswer {
  readonly content: string | null;
  readonly toolCalls: readonly ToolCall[];
}

/** Resolves the answer: the scripted one when queued, else an echo of the last user (or tool) message. */
export function answerFor(
  scripted: SimulatedCompletion | undefined,
  messages: readonly InboundChatMessage[],
): CompletionAnswer {
  if (scripted && 'toolCalls' in scripted) {
    return {
      content: null,
      toolCalls: scripted.toolCalls.map((call) => ({
        id: call.id ?? `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.arguments) },
      })),
    };
  }
  if (scripted) return { content: scripted.content, toolCalls: [] };
  const last = messages[messages.length - 1];
  const content =
    last?.role === 'tool'
      ? `Thanks, the tool answered: ${last.content ?? ''}`
      : `You said: ${last?.content ?? ''}`;
  return { content, toolCalls: [] };
}

const words = (text: string | null): number => (text ?? '').split(/\s+/).filter(Boolean).length;

/** A `chat.completion` body. */
export function completionBody(
  answer: CompletionAnswer,
  messages: readonly InboundChatMessage[],
  sessionId: string,
): Record<string, unknown> {
  const prompt = messages.reduce((sum, message) => sum + words(message.content), 0);
  const completion = words(answer.content) + answer.toolCalls.length * 8;
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: MODEL,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.content,
          ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls } : {}),
        },
        finish_reason: answer.toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    session_id: sessionId,
  };
}

/**
 * The `chat.completion.chunk`s of a streamed answer, OpenAI style: a role chunk, the content word by word (or each
 * tool call's id and name, then its arguments in two fragments), then a chunk with the finish reason.
 */
export function completionChunks(answer: CompletionAnswer): Record<string, unknown>[] {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const chunks = [chunk({ role: 'assistant', content: answer.toolCalls.length > 0 ? null : '' })];
  answer.toolCalls.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      }),
    );
    const half = Math.ceil(call.function.arguments.length / 2);
    for (const part of [call.function.arguments.slice(0, half), call.function.arguments.slice(half)]) {
      if (part !== '') chunks.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
    }
  });
  for (const piece of (answer.content ?? '').match(/\S+\s*/g) ?? []) chunks.push(chunk({ content: piece }));
  chunks.push(chunk({}, answer.toolCalls.length > 0 ? 'tool_calls' : 'stop'));
  return chunks;
}
