import { describe, expect, it } from '@jest/globals';
import { MemoryIdempotencyStore } from './memory-idempotency.store.js';

describe('MemoryIdempotencyStore', () => {
  it('claims once, refuses a second holder, keeps handler records across a release, then reports done', async () => {
    const store = new MemoryIdempotencyStore();
    expect(await store.claim('k', 'a', 60_000)).toEqual({ status: 'claimed', completedHandlers: new Set() });
    expect(await store.claim('k', 'b', 60_000)).toEqual({ status: 'in-progress' });
    expect(await store.renew('k', 'b', 60_000)).toBe(false);
    expect(await store.renew('k', 'a', 60_000)).toBe(true);

    await store.recordHandler('k', 'Crm.save');
    await store.release('k', 'b');
    expect((await store.claim('k', 'c', 60_000)).status).toBe('in-progress');
    await store.release('k', 'a');
    expect(await store.claim('k', 'c', 60_000)).toEqual({
      status: 'claimed',
      completedHandlers: new Set(['Crm.save']),
    });

    await store.complete('k');
    expect(await store.claim('k', 'd', 60_000)).toEqual({ status: 'done' });
    expect(await store.areDone(['k', 'other'])).toEqual([true, false]);
  });

  it('lets another holder claim once the lease expired', async () => {
    const store = new MemoryIdempotencyStore();
    expect((await store.claim('k', 'dead', 1)).status).toBe('claimed');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await store.claim('k', 'alive', 60_000)).status).toBe('claimed');
    expect(await store.renew('k', 'dead', 60_000)).toBe(false);
  });

  it('forgets the least recently used event beyond maxEvents', async () => {
    const store = new MemoryIdempotencyStore({ maxEvents: 2 });
    for (const key of ['a', 'b', 'c']) await store.complete(key);
    expect(await store.areDone(['a', 'b', 'c'])).toEqual([false, true, true]);
  });
});
