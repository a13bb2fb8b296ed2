/**
 * Settles with `work`'s value, or with `fallback` once `ms` passed, whichever comes first; the timer is cleared as soon
 * as `work` settles. `work` keeps running after a timeout: the caller decides what becomes of it.
 */
export function raceTimeout<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  return new Promise<T | F>((resolve, reject) => {
    const timer = setTimeout(resolve, ms, fallback);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
