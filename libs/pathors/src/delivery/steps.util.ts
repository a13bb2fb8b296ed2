/** A value now, or a promise of it later: what a call that may answer at once returns (as `canActivate` does). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A sequence of steps written as a generator: each `yield x` waits for `x`, which may be a plain value, and evaluates
 * to its result. Annotate what a step gives, as `await` would infer it:
 * `const claim: PathorsClaim = yield store.claim(key, token, leaseMs);` reads like `await` and costs nothing when the
 * value is already there.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a yield's result is typed where it is read (above)
export type Steps<T> = Generator<unknown, T, any>;

/** Whether `value` is a promise or another thenable (what `await` would wait for). */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

/** Calls `next` with `value` now, or once it resolves when it is a promise; `next`'s throw is thrown or rejected alike. */
export function whenReady<T, R>(value: MaybePromise<T>, next: (value: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * Runs `steps` to its end. While every step is a plain value it runs synchronously and returns the result (or throws
 * what the steps threw), in the same tick and without a promise; from the first pending step on it continues
 * asynchronously and returns a promise. Inside the generator, `try`/`catch`/`finally` behave as in an async function:
 * a rejected step is thrown at its `yield`.
 *
 * The delivery pipeline is written once this way: with the in-memory store and handlers that return no promise, a
 * delivery is claimed, handled and completed before the webhook answers, with no microtask turn in between.
 */
export function runSteps<T>(steps: Steps<T>): MaybePromise<T> {
  let next = steps.next();
  while (!next.done) {
    if (isThenable(next.value)) return finishAsync(steps, next.value);
    next = steps.next(next.value);
  }
  return next.value;
}

async function finishAsync<T>(steps: Steps<T>, pending: unknown): Promise<T> {
  for (;;) {
    let rejected = false;
    let settled: unknown;
    try {
      settled = await pending;
    } catch (error) {
      rejected = true;
      settled = error;
    }
    const next = rejected ? steps.throw(settled) : steps.next(settled);
    if (next.done) return next.value;
    pending = next.value;
  }
}
