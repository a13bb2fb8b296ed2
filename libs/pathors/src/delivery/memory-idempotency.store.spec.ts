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
    await sleep(5);
    expect((await store.claim('k', 'alive', 60_000)).status).toBe('claimed');
    expect(await store.renew('k', 'dead', 60_000)).toBe(false);
  });

  it('forgets the least recently used event beyond maxEvents', async () => {
    const store = new MemoryIdempotencyStore({ maxEvents: 2 });
    for (const key of ['a', 'b', 'c']) await store.complete(key);
    expect(await store.areDone(['a', 'b', 'c'])).toEqual([false, true, true]);
  });

  it('forgets a record after ttlMs; a key completed again after expiring is remembered afresh', async () => {
    const store = new MemoryIdempotencyStore({ maxEvents: 2, ttlMs: 20 });
    await store.complete('a');
    expect(await store.areDone(['a'])).toEqual([true]);
    await sleep(30);
    expect(await store.areDone(['a'])).toEqual([false]);
    await store.complete('a');
    await store.complete('b');
    expect(await store.areDone(['a', 'b'])).toEqual([true, true]);
    await store.complete('c');
    expect(await store.areDone(['a', 'b', 'c'])).toEqual([false, true, true]);
  });

  it('refuses a capacity or TTL that is not positive', () => {
    expect(() => new MemoryIdempotencyStore({ maxEvents: 0 })).toThrow(
      /maxEvents must be a positive integer/,
    );
    expect(() => new MemoryIdempotencyStore({ ttlMs: -1 })).toThrow(/ttlMs must be a positive number/);
  });

  it('keeps an event that was looked up over one written earlier', async () => {
    const store = new MemoryIdempotencyStore({ maxEvents: 2 });
    await store.complete('a');
    await store.complete('b');
    expect(await store.claim('a', 'redelivery', 60_000)).toEqual({ status: 'done' });
    await store.complete('c');
    expect(await store.areDone(['a', 'b', 'c'])).toEqual([true, false, true]);
  });

  it('counts asking whether an event is done as a use of its record', async () => {
    const store = new MemoryIdempotencyStore({ maxEvents: 2 });
    await store.complete('a');
    await store.complete('b');
    expect(await store.areDone(['a'])).toEqual([true]);
    await store.complete('c');
    expect(await store.areDone(['a', 'b', 'c'])).toEqual([true, false, true]);
  });

  it('keeps every record up to the cap, then forgets the least recently used first', async () => {
    const store = new MemoryIdempotencyStore({ maxEvents: 3000 });
    const keys = Array.from({ length: 3000 }, (_, index) => `lifecycle:${index}:call.ended`);
    for (const [index, key] of keys.entries()) {
      if (index % 2 === 0) await store.complete(key);
      else expect((await store.claim(key, `t${index}`, 60_000)).status).toBe('claimed');
    }
    const done = await store.areDone(keys);
    expect(done.filter(Boolean)).toHaveLength(1500);
    expect(done.every((isDone, index) => isDone === (index % 2 === 0))).toBe(true);
    expect(await store.claim(keys[1]!, 'other', 60_000)).toEqual({ status: 'in-progress' });
    await store.complete('lifecycle:one-more:call.ended');
    // areDone looked the keys up in order, so keys[0] is now the least recently used: the one forgotten.
    expect(await store.areDone([keys[0]!, 'lifecycle:one-more:call.ended'])).toEqual([false, true]);
  });

  it('forgets an in-progress claim evicted at the cap, so that a redelivery can claim it again', async () => {
    const store = new MemoryIdempotencyStore({ maxEvents: 1 });
    expect((await store.claim('a', 'first', 60_000)).status).toBe('claimed');
    await store.complete('b');
    expect(await store.renew('a', 'first', 60_000)).toBe(false);
    expect((await store.claim('a', 'second', 60_000)).status).toBe('claimed');
  });

  it('keeps the TTL a record started with across claims and handler records; completion starts it again', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 300 });
    await store.claim('k', 'a', 60_000);
    await sleep(200);
    await store.recordHandler('k', 'Crm.save');
    await store.release('k', 'a');
    expect(await store.claim('k', 'b', 60_000)).toEqual({
      status: 'claimed',
      completedHandlers: new Set(['Crm.save']),
    });
    await sleep(200);
    // 400 ms after the first claim: the record, handler records included, is gone.
    expect(await store.claim('k', 'c', 60_000)).toEqual({ status: 'claimed', completedHandlers: new Set() });

    await sleep(200);
    await store.complete('k');
    await sleep(200);
    // 400 ms after the claim that made the record anew, but 200 ms after its completion.
    expect(await store.areDone(['k'])).toEqual([true]);
  });

  it('keeps handler records made before any claim, and drops them once the event is done', async () => {
    const store = new MemoryIdempotencyStore();
    await store.recordHandler('k', 'Crm.save');
    await store.recordHandler('k', 'Billing.charge');
    expect(await store.claim('k', 'a', 60_000)).toEqual({
      status: 'claimed',
      completedHandlers: new Set(['Crm.save', 'Billing.charge']),
    });
    await store.complete('k');
    expect(await store.claim('k', 'b', 60_000)).toEqual({ status: 'done' });
    expect(await store.renew('k', 'a', 60_000)).toBe(false);
  });

  it('renews and releases only for the holder of the claim, and only while the record exists', async () => {
    const store = new MemoryIdempotencyStore();
    expect(await store.renew('absent', 'a', 60_000)).toBe(false);
    await store.release('absent', 'a');
    expect(await store.areDone(['absent'])).toEqual([false]);

    await store.claim('k', 'a', 20);
    expect(await store.renew('k', 'a', 60_000)).toBe(true);
    await sleep(30);
    // The renewed lease still holds past the first one.
    expect(await store.claim('k', 'b', 60_000)).toEqual({ status: 'in-progress' });
    await store.release('k', 'b');
    expect(await store.claim('k', 'b', 60_000)).toEqual({ status: 'in-progress' });
    await store.release('k', 'a');
    expect(await store.renew('k', 'a', 60_000)).toBe(false);
    expect((await store.claim('k', 'b', 60_000)).status).toBe('claimed');
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
