/** A value now, or a promise of it later: what a call that may answer at once returns (as `canActivate` does). */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is a promise or another thenable (what `await` would wait for). */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';

/** Calls `next` with `value` now, or once it resolves when it is a promise; `next`'s throw is thrown or rejected alike. */
export function whenReady<T, R>(value: MaybePromise<T>, next: (value: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
