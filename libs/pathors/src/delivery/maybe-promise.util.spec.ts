import { describe, expect, it } from '@jest/globals';
import { whenReady } from './maybe-promise.util.js';

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
