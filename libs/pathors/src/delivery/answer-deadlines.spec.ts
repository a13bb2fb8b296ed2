import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AnswerDeadlines } from './answer-deadlines.js';

const BUDGET_MS = 100;

/** A promise settled from outside, and what a race over it settled with (undefined while pending). */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function watch<T>(race: Promise<T>) {
  const seen: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  race.then(
    (value) => Object.assign(seen, { value, settled: true }),
    (error: unknown) => Object.assign(seen, { error, settled: true }),
  );
  return seen;
}

describe('AnswerDeadlines', () => {
  let deadlines: AnswerDeadlines;

  beforeEach(() => {
    jest.useFakeTimers();
    deadlines = new AnswerDeadlines(BUDGET_MS);
  });
  afterEach(() => {
    deadlines.close();
    jest.useRealTimers();
  });

  it("settles with the work's value when it comes within the budget", async () => {
    const work = deferred<string>();
    const seen = watch(deadlines.race(work.promise, 'late'));
    await jest.advanceTimersByTimeAsync(BUDGET_MS - 1);
    work.resolve('done');
    await jest.advanceTimersByTimeAsync(0);
    expect(seen).toEqual({ value: 'done', settled: true });
    await jest.advanceTimersByTimeAsync(BUDGET_MS);
    expect(seen.value).toBe('done');
  });

  it("rejects with the work's error when it fails within the budget", async () => {
    const work = deferred<string>();
    const seen = watch(deadlines.race(work.promise, 'late'));
    work.reject(new Error('store down'));
    await jest.advanceTimersByTimeAsync(0);
    expect((seen.error as Error).message).toBe('store down');
  });

  it('settles with the fallback once the budget has passed, whatever the work does later', async () => {
    const work = deferred<string>();
    const seen = watch(deadlines.race(work.promise, 'late'));
    await jest.advanceTimersByTimeAsync(BUDGET_MS - 1);
    expect(seen.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(seen).toEqual({ value: 'late', settled: true });
    work.resolve('done');
    await jest.advanceTimersByTimeAsync(0);
    expect(seen.value).toBe('late');
  });

  it('gives every race its own full budget, when earlier races settled or expired', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const third = deferred<string>();
    const seenFirst = watch(deadlines.race(first.promise, 'late'));
    await jest.advanceTimersByTimeAsync(30);
    const seenSecond = watch(deadlines.race(second.promise, 'late'));
    await jest.advanceTimersByTimeAsync(30);
    const seenThird = watch(deadlines.race(third.promise, 'late'));
    second.resolve('done');

    await jest.advanceTimersByTimeAsync(40); // t = 100: the first is due, the third (started at 60) is not.
    expect([seenFirst.value, seenSecond.value, seenThird.settled]).toEqual(['late', 'done', false]);
    await jest.advanceTimersByTimeAsync(59); // t = 159
    expect(seenThird.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1); // t = 160
    expect(seenThird.value).toBe('late');
  });

  it('keeps no timer once nothing is pending', async () => {
    const works = Array.from({ length: 50 }, () => deferred<number>());
    const seen = works.map((work) => watch(deadlines.race(work.promise, -1)));
    works.forEach((work, index) => work.resolve(index));
    await jest.advanceTimersByTimeAsync(BUDGET_MS);
    expect(seen.map((s) => s.value)).toEqual(works.map((_, index) => index));
    expect(jest.getTimerCount()).toBe(0);
  });
});
