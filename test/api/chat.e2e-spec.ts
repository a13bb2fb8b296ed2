import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PathorsInvalidArgumentError,
  PathorsServerError,
  type PathorsChatCompletionChunk,
  type PathorsToolCallDelta,
} from 'nestjs-pathors';
import { PathorsSimulator } from 'nestjs-pathors/testing';
import { createApiApp, type ApiApp } from './support/api-app.js';

describe('PathorsChatService', () => {
  const simulator = new PathorsSimulator();
  let api: ApiApp;

  beforeAll(async () => {
    await simulator.start();
    api = await createApiApp(simulator);
  });
  afterEach(() => {
    simulator.clearRequests();
    simulator.resetFaults();
    simulator.setStreamChunkDelay(0);
  });
  afterAll(async () => {
    await api.close();
    await simulator.stop();
  });

  const collect = async (
    chunks: AsyncIterable<PathorsChatCompletionChunk>,
  ): Promise<PathorsChatCompletionChunk[]> => {
    const all: PathorsChatCompletionChunk[] = [];
    for await (const chunk of chunks) all.push(chunk);
    return all;
  };

  it('completes a turn, sending X-Session-ID and reading it back', async () => {
    const completion = await api.chat.complete({
      sessionId: 'chat-1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where is my order?' },
      ],
    });

    expect(completion).toMatchObject({
      object: 'chat.completion',
      sessionId: 'chat-1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'You said: Where is my order?' },
          finish_reason: 'stop',
        },
      ],
    });
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    const [request] = simulator.requests();
    expect(request.path).toBe('/v1/projects/proj_simulator/chat/completions');
    expect(request.headers['x-session-id']).toBe('chat-1');
    expect(request.body).toMatchObject({ stream: false });
    expect(simulator.session('chat-1')?.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('surfaces tool calls typed, and sends tool results back', async () => {
    simulator.queueCompletion({
      toolCalls: [{ id: 'call_1', name: 'lookup_order', arguments: { orderId: '42' } }],
    });
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'lookup_order',
          parameters: { type: 'object', properties: { orderId: { type: 'string' } } },
        },
      },
    ];

    const first = await api.chat.complete({
      sessionId: 'chat-tools',
      messages: [{ role: 'user', content: 'Order 42?' }],
      tools,
    });
    const [call] = first.choices[0].message.tool_calls ?? [];

    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call).toEqual({
      id: 'call_1',
      type: 'function',
      function: { name: 'lookup_order', arguments: '{"orderId":"42"}' },
    });
    expect(simulator.requests()[0].body).toMatchObject({ tools });

    const second = await api.chat.complete({
      sessionId: 'chat-tools',
      messages: [{ role: 'tool', tool_call_id: call.id, content: '{"status":"shipped"}' }],
    });
    expect(second.choices[0].message.content).toBe('Thanks, the tool answered: {"status":"shipped"}');
  });

  it('streams typed chunks that end cleanly on [DONE]', async () => {
    simulator.queueCompletion({ content: 'Your order ships tomorrow.' });

    const chunks = await collect(
      api.chat.stream({ sessionId: 'chat-stream', messages: [{ role: 'user', content: 'Status?' }] }),
    );

    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('')).toBe(
      'Your order ships tomorrow.',
    );
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
    expect(simulator.requests()[0]).toMatchObject({
      body: { stream: true },
      headers: { 'x-session-id': 'chat-stream' },
    });
  });

  it('streams tool calls as typed deltas that assemble into the call', async () => {
    simulator.queueCompletion({
      toolCalls: [{ id: 'call_7', name: 'book_demo', arguments: { day: 'Tuesday', hour: 10 } }],
    });

    const chunks = await collect(
      api.chat.stream({ sessionId: 'chat-stream-tools', messages: [{ role: 'user', content: 'Book it' }] }),
    );

    const deltas: PathorsToolCallDelta[] = chunks.flatMap((chunk) => chunk.choices[0].delta.tool_calls ?? []);
    expect(deltas[0]).toEqual({
      index: 0,
      id: 'call_7',
      type: 'function',
      function: { name: 'book_demo', arguments: '' },
    });
    const args = deltas.map((delta) => delta.function?.arguments ?? '').join('');
    expect(JSON.parse(args)).toEqual({ day: 'Tuesday', hour: 10 });
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
  });

  it('stops a stream when the signal aborts: the iteration rejects and the connection closes', async () => {
    simulator.setStreamChunkDelay(200);
    simulator.queueCompletion({ content: 'one two three four five six seven eight nine ten' });
    const controller = new AbortController();
    const received: PathorsChatCompletionChunk[] = [];

    const iteration = (async () => {
      for await (const chunk of api.chat.stream(
        { sessionId: 'chat-abort', messages: [{ role: 'user', content: 'Count' }] },
        { signal: controller.signal },
      )) {
        received.push(chunk);
        if (received.length === 2) controller.abort();
      }
    })();

    await expect(iteration).rejects.toMatchObject({ name: 'AbortError' });
    expect(received).toHaveLength(2);
    await waitFor(() => simulator.requests()[0]?.closedEarly === true);
  });

  it('closes the connection when the consumer breaks out early', async () => {
    simulator.setStreamChunkDelay(200);
    simulator.queueCompletion({ content: 'a b c d e f g h' });

    for await (const chunk of api.chat.stream({
      sessionId: 'chat-break',
      messages: [{ role: 'user', content: 'Go' }],
    })) {
      expect(chunk.object).toBe('chat.completion.chunk');
      break;
    }

    await waitFor(() => simulator.requests()[0]?.closedEarly === true);
  });

  it('rejects a stream whose request fails, with the typed error, when iterated', async () => {
    simulator.failNext(1, 503);

    await expect(
      collect(api.chat.stream({ sessionId: 'chat-503', messages: [{ role: 'user', content: 'Hi' }] })),
    ).rejects.toThrow(PathorsServerError);
    // Completions add messages: never retried.
    expect(simulator.requests()).toHaveLength(1);
  });

  it('validates messages and tools before sending', async () => {
    expect(() => api.chat.stream({ sessionId: 's', messages: [] })).toThrow(PathorsInvalidArgumentError);
    await expect(
      api.chat.complete({ sessionId: 's', messages: [{ role: 'robot' as 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ field: 'messages[0].role' });
    await expect(
      api.chat.complete({ sessionId: 's', messages: [{ role: 'tool', content: 'x' }] }),
    ).rejects.toMatchObject({ field: 'messages[0].tool_call_id' });
    await expect(
      api.chat.complete({
        sessionId: 's',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: '' } }],
      }),
    ).rejects.toMatchObject({ field: 'tools[0].function.name' });
    await expect(
      api.chat.complete({ sessionId: '', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      field: 'sessionId',
    });
    expect(simulator.requests()).toHaveLength(0);
  });
});

/** Polls a condition the server side sets asynchronously (a socket close), failing after 5 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
