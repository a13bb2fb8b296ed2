/**
 * Settles with `work`'s value, or with `fallback` once `ms` passed, whichever comes first; the timer never outlives
 * the race. `work` keeps running after a timeout: the caller decides what becomes of it.
 */
export async function raceTimeout<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(resolve, ms, fallback);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
