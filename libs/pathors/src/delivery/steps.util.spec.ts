import { describe, expect, it } from '@jest/globals';
import { runSteps, whenReady, type MaybePromise, type Steps } from './steps.util.js';

/** Adds the two values it is given (each a value or a promise), recording what ran, with a cleanup in `finally`. */
function* addition(a: MaybePromise<number>, b: MaybePromise<number>, log: string[]): Steps<number> {
  try {
    const first: number = yield a;
    log.push(`first ${first}`);
    const second: number = yield b;
    log.push(`second ${second}`);
    return first + second;
  } catch (error) {
    log.push(`caught ${(error as Error).message}`);
    return -1;
  } finally {
    log.push('finally');
  }
}

describe('runSteps', () => {
  it('runs steps that are plain values synchronously and returns the result itself, not a promise', () => {
    const log: string[] = [];
    const result = runSteps(addition(1, 2, log));
    expect(result).toBe(3);
    expect(log).toEqual(['first 1', 'second 2', 'finally']);
  });

  it('continues asynchronously from the first pending step and resolves with the result', async () => {
    const log: string[] = [];
    const result = runSteps(addition(1, Promise.resolve(5), log));
    expect(result).toBeInstanceOf(Promise);
    expect(log).toEqual(['first 1']);
    await expect(result).resolves.toBe(6);
    expect(log).toEqual(['first 1', 'second 5', 'finally']);
  });

  it('throws a rejected step at its yield, where catch and finally handle it', async () => {
    const log: string[] = [];
    await expect(runSteps(addition(Promise.reject(new Error('store down')), 2, log))).resolves.toBe(-1);
    expect(log).toEqual(['caught store down', 'finally']);
  });

  it('throws synchronously what steps throw past their last catch while running synchronously', () => {
    function* failing(): Steps<number> {
      yield 1;
      throw new Error('boom');
    }
    expect(() => runSteps(failing())).toThrow('boom');
  });

  it('rejects with what steps throw past their last catch once asynchronous', async () => {
    function* failing(): Steps<number> {
      yield Promise.resolve(1);
      yield 2;
      throw new Error('late boom');
    }
    await expect(runSteps(failing())).rejects.toThrow('late boom');
  });
});

describe('whenReady', () => {
  it('maps a plain value at once, and throws what the mapping throws', () => {
    expect(whenReady(2, (value) => value * 10)).toBe(20);
    expect(() =>
      whenReady(2, () => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
  });

  it('maps a promise once it resolves, and rejects with what the mapping throws', async () => {
    const mapped = whenReady(Promise.resolve(2), (value) => value * 10);
    expect(mapped).toBeInstanceOf(Promise);
    await expect(mapped).resolves.toBe(20);
    await expect(
      whenReady(Promise.resolve(2), () => {
        throw new Error('refused later');
      }),
    ).rejects.toThrow('refused later');
  });
});
