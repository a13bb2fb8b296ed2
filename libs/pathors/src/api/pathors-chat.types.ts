/** Roles of an OpenAI-compatible chat message. */
export type PathorsChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A function call the assistant asks your code to make. `arguments` is JSON text, as the model wrote it. */
export interface PathorsToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/** One message sent to or received from a completion (OpenAI wire names). */
export interface PathorsChatMessage {
  readonly role: PathorsChatRole;
  /** Text; `null` on an assistant message that only calls tools. */
  readonly content: string | null;
  /** On a `tool` message: the id of the call it answers. */
  readonly tool_call_id?: string;
  /** On an `assistant` message: the calls it asked for. */
  readonly tool_calls?: readonly PathorsToolCall[];
}

/** A function the model may call. `parameters` is a JSON Schema. */
export interface PathorsChatTool {
  readonly type: 'function';
  readonly function: {
    readonly name: string;
    readonly description?: string;
    readonly parameters?: Record<string, unknown>;
  };
}

/** Input of {@link PathorsChatService.complete} and {@link PathorsChatService.stream}. */
export interface PathorsChatCompletionInput {
  /** The session the turn belongs to (sent as `X-Session-ID`). */
  readonly sessionId: string;
  readonly messages: readonly PathorsChatMessage[];
  readonly tools?: readonly PathorsChatTool[];
}

/** Token counts of a completion. */
export interface PathorsChatUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

/** Why the model stopped: `'stop'`, `'tool_calls'`, or a value this version does not know. */
export type PathorsFinishReason = 'stop' | 'tool_calls' | (string & {});

/** One choice of a completion. */
export interface PathorsChatChoice {
  readonly index: number;
  readonly message: {
    readonly role: 'assistant';
    readonly content: string | null;
    readonly tool_calls?: readonly PathorsToolCall[];
  };
  readonly finish_reason: PathorsFinishReason;
}

/** A chat completion (`object: 'chat.completion'`), with the session id Pathors echoed. */
export interface PathorsChatCompletion {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly PathorsChatChoice[];
  readonly usage?: PathorsChatUsage;
  /** From the `X-Session-ID` response header (or the body's `session_id`). */
  readonly sessionId: string;
}

/**
 * A fragment of a tool call in a stream. The first fragment of call `index` carries `id` and `function.name`; the
 * following ones append to `function.arguments`.
 */
export interface PathorsToolCallDelta {
  readonly index: number;
  readonly id?: string;
  readonly type?: 'function';
  readonly function?: { readonly name?: string; readonly arguments?: string };
}

/** One streamed chunk (`object: 'chat.completion.chunk'`). */
export interface PathorsChatCompletionChunk {
  readonly id: string;
  readonly object: 'chat.completion.chunk';
  readonly created: number;
  readonly model: string;
  readonly choices: ReadonlyArray<{
    readonly index: number;
    readonly delta: {
      readonly role?: 'assistant';
      readonly content?: string | null;
      readonly tool_calls?: readonly PathorsToolCallDelta[];
    };
    readonly finish_reason: PathorsFinishReason | null;
  }>;
}
