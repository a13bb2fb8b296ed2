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

const TIMED_OUT = Symbol('timed out');

/**
 * Settles with `command`'s outcome, or rejects once `commandTimeoutMs` passed, naming the command: how the Redis store
 * and inbox bound their waits. `command` keeps running after a timeout.
 */
export async function withCommandTimeout<T>(
  command: Promise<T>,
  name: string,
  commandTimeoutMs: number,
): Promise<T> {
  const result = await raceTimeout(command, commandTimeoutMs, TIMED_OUT);
  if (result === TIMED_OUT) {
    throw new Error(`Redis did not answer ${name} within commandTimeoutMs (${commandTimeoutMs} ms)`);
  }
  return result;
}
