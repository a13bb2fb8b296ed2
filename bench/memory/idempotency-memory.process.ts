// 1,000,000 distinct deliveries through the default in-memory idempotency store, driven in-process (HTTP would take
// minutes for a million): each one claimed, its handler recorded, completed, as the delivery pipeline does. Runs
// under --expose-gc so that every reading is taken after a full collection. Reports over IPC, then exits.
import { randomUUID } from 'node:crypto';
import { MemoryIdempotencyStore } from 'nestjs-pathors';
import { DEFAULT_MEMORY_STORE_MAX_EVENTS } from '../../libs/pathors/src/delivery/memory-idempotency.store.js';
import { idempotencyKeyOf } from '../../libs/pathors/src/delivery/idempotency-key.js';
import type { MemoryReply, MemoryRequest } from './memory-ipc.js';

const gc = (globalThis as { gc?: () => void }).gc;

function reading() {
  gc!();
  // The LRU cache under the store keeps its order and expiry times in typed arrays, outside the JS heap: both count.
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
  return { rssBytes: rss, heapAndBuffersBytes: heapUsed + arrayBuffers };
}

async function run(deliveries: number, every: number): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc');
  const send = (message: MemoryReply) => process.send!(message);
  const before = reading();
  send({ type: 'start', cap: DEFAULT_MEMORY_STORE_MAX_EVENTS, ...before });
  const store = new MemoryIdempotencyStore();
  for (let count = 1; count <= deliveries; count++) {
    const key = idempotencyKeyOf(
      'lifecycle',
      'call.ended',
      { sessionId: randomUUID() },
      undefined,
      'default',
    );
    const token = randomUUID();
    await store.claim(key, token, 30_000);
    await store.recordHandler(key, 'NoopHandler.onEvent');
    await store.complete(key);
    if (count % every === 0) send({ type: 'progress', deliveries: count, ...reading() });
  }
}

// Never outlive the benchmark that started this process.
process.on('disconnect', () => process.exit(0));

process.once('message', (message: MemoryRequest) => {
  run(message.deliveries, message.every).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.send!({ type: 'ready' } satisfies MemoryReply);
