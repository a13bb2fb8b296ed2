import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DeliveryRun, type DeliveryRunContext } from './delivery-run.js';
import { MemoryIdempotencyStore } from './memory-idempotency.store.js';
import { PathorsDelivery } from './pathors-delivery.js';
import type { PathorsDispatchResult, PathorsEventDispatcher } from './pathors-event.dispatcher.js';
import type { PathorsClaim, PathorsIdempotencyStore } from './pathors-idempotency.store.js';
import type { MaybePromise } from './maybe-promise.util.js';

type StoreCall = 'claim' | 'complete' | 'release' | 'recordHandler';

const delivery = new PathorsDelivery({
  eventName: 'call.ended',
  dialect: 'lifecycle',
  receivedAt: new Date(0),
  idempotencyKey: 'lifecycle:s1:call.ended',
  sessionId: 's1',
  payload: {},
});

/** The in-memory store, each call recorded; `async` answers every call through a promise, `fail` throws or rejects. */
function recordingStore(
  options: { async?: boolean; fail?: Partial<Record<StoreCall, 'throw' | 'reject'>> } = {},
) {
  const store = new MemoryIdempotencyStore();
  const calls: StoreCall[] = [];
  const wrap =
    <A extends unknown[], R>(name: StoreCall, call: (...args: A) => MaybePromise<R>) =>
    (...args: A): MaybePromise<R> => {
      calls.push(name);
      const failure = options.fail?.[name];
      if (failure === 'throw') throw new Error(`${name} failed`);
      if (failure === 'reject') return Promise.reject(new Error(`${name} failed`));
      const result = call.apply(store, args);
      return options.async ? Promise.resolve(result) : result;
    };
  const wrapped = Object.assign(Object.create(store) as PathorsIdempotencyStore, {
    claim: wrap('claim', store.claim),
    complete: wrap('complete', store.complete),
    release: wrap('release', store.release),
    recordHandler: wrap('recordHandler', store.recordHandler),
  });
  return { store: wrapped, memory: store, calls };
}

/** A dispatcher whose handlers report `statuses`, at once or (with `async`) through a promise. */
function fakeDispatcher(statuses: Array<'succeeded' | 'failed'>, async = false) {
  const result: PathorsDispatchResult = {
    outcomes: statuses.map((status, index) => ({ handlerId: `H.h${index}`, status })),
  };
  return {
    dispatch: (): MaybePromise<PathorsDispatchResult> => (async ? Promise.resolve(result) : result),
  } as unknown as PathorsEventDispatcher;
}

function runOf(store: PathorsIdempotencyStore, dispatcher: PathorsEventDispatcher, handlerCount = 1) {
  const errors: string[] = [];
  const logger = new Logger('test');
  logger.error = (message: unknown) => void errors.push(String(message));
  const context: DeliveryRunContext = {
    store,
    dispatcher,
    claimLeaseMs: 30_000,
    leases: new Map(),
    logger,
  };
  return { run: new DeliveryRun(context, {} as never, delivery, handlerCount, 'token-1'), context, errors };
}

describe('DeliveryRun', () => {
  it('finishes in the same tick when the store and the handlers answer at once, and marks the event done', () => {
    const { store, memory, calls } = recordingStore();
    const { run, context } = runOf(store, fakeDispatcher(['succeeded']));
    expect(run.start()).toBe('handled');
    expect(calls).toEqual(['claim', 'complete']);
    expect(context.leases.size).toBe(0);
    expect(memory.claim(delivery.idempotencyKey, 'other', 1000)).toEqual({ status: 'done' });
  });

  it('continues after the first pending step and resolves with the same outcome', async () => {
    const { store, calls } = recordingStore({ async: true });
    const { run, context } = runOf(store, fakeDispatcher(['succeeded'], true));
    const outcome = run.start();
    expect(outcome).toBeInstanceOf(Promise);
    await expect(outcome).resolves.toBe('handled');
    expect(calls).toEqual(['claim', 'complete']);
    expect(context.leases.size).toBe(0);
  });

  it('keeps the claim leased while the handlers run on past the tick, and lets it go after', async () => {
    const { store } = recordingStore();
    const { run, context } = runOf(store, fakeDispatcher(['succeeded'], true));
    const outcome = run.start();
    expect(context.leases.get(delivery.idempotencyKey)).toBe('token-1');
    await expect(outcome).resolves.toBe('handled');
    expect(context.leases.size).toBe(0);
  });

  it('answers a duplicate of a done event without dispatching it', () => {
    const { store, memory } = recordingStore();
    memory.claim(delivery.idempotencyKey, 'earlier', 1000);
    memory.complete(delivery.idempotencyKey);
    let dispatched = false;
    const dispatcher = {
      dispatch: () => {
        dispatched = true;
        return { outcomes: [] };
      },
    } as unknown as PathorsEventDispatcher;
    expect(runOf(store, dispatcher).run.start()).toBe('duplicate');
    expect(dispatched).toBe(false);
  });

  it('releases the claim when a handler failed, so that a redelivery can claim it again', () => {
    const { store, memory, calls } = recordingStore();
    expect(runOf(store, fakeDispatcher(['succeeded', 'failed']), 2).run.start()).toBe('failed');
    expect(calls).toEqual(['claim', 'release']);
    expect((memory.claim(delivery.idempotencyKey, 'next', 1000) as PathorsClaim).status).toBe('claimed');
  });

  it('never marks done an event whose handlers did not all report', () => {
    const { store, calls } = recordingStore();
    const { run, errors } = runOf(store, fakeDispatcher(['succeeded']), 2);
    expect(run.start()).toBe('failed');
    expect(calls).toEqual(['claim', 'release']);
    expect(errors).toEqual([expect.stringContaining('1 of 2 handlers of call.ended did not run')]);
  });

  it.each(['throw', 'reject'] as const)(
    'reports an error, without releasing anything, when the claim itself fails (%s)',
    async (failure) => {
      const { store, calls } = recordingStore({ fail: { claim: failure } });
      const { run, errors } = runOf(store, fakeDispatcher(['succeeded']));
      await expect(Promise.resolve(run.start())).resolves.toBe('error');
      expect(calls).toEqual(['claim']);
      expect(errors).toEqual([expect.stringContaining('Idempotency store failed on call.ended')]);
    },
  );

  it.each(['throw', 'reject'] as const)(
    'releases the claim and reports an error when the completion fails (%s): a redelivery runs it again',
    async (failure) => {
      const { store, memory, calls } = recordingStore({ fail: { complete: failure } });
      const { run, context, errors } = runOf(store, fakeDispatcher(['succeeded']));
      await expect(Promise.resolve(run.start())).resolves.toBe('error');
      expect(calls).toEqual(['claim', 'complete', 'release']);
      expect(context.leases.size).toBe(0);
      expect(errors).toEqual([expect.stringContaining('complete failed')]);
      expect((memory.claim(delivery.idempotencyKey, 'next', 1000) as PathorsClaim).status).toBe('claimed');
    },
  );

  it('reports the original failure when releasing the claim fails too', async () => {
    const { store, calls } = recordingStore({ fail: { complete: 'reject', release: 'throw' } });
    const { run, errors } = runOf(store, fakeDispatcher(['succeeded']));
    await expect(run.start()).resolves.toBe('error');
    expect(calls).toEqual(['claim', 'complete', 'release']);
    expect(errors).toEqual([expect.stringContaining('complete failed')]);
  });
});
