import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LruMap } from './lru-map.js';

/** The obvious model: entries from least to most recently used. */
class ModelLru {
  readonly entries: Array<[string, number]> = [];

  constructor(private readonly max: number) {}

  get(key: string): number | undefined {
    const index = this.entries.findIndex(([k]) => k === key);
    if (index === -1) return undefined;
    const [entry] = this.entries.splice(index, 1);
    this.entries.push(entry!);
    return entry![1];
  }

  set(key: string, value: number): void {
    const index = this.entries.findIndex(([k]) => k === key);
    if (index !== -1) this.entries.splice(index, 1);
    else if (this.entries.length >= this.max) this.entries.shift();
    this.entries.push([key, value]);
  }

  delete(key: string): void {
    const index = this.entries.findIndex(([k]) => k === key);
    if (index !== -1) this.entries.splice(index, 1);
  }
}

const operation = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') }),
  fc.record({
    op: fc.constant('set' as const),
    key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
    value: fc.integer(),
  }),
  fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') }),
);

describe('LruMap', () => {
  it('answers every get as the obvious LRU model does, for random sequences of get, set, add and delete', () => {
    let runs = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(operation, { maxLength: 60 }),
        (max, operations) => {
          runs++;
          const lru = new LruMap<number>(max);
          const model = new ModelLru(max);
          for (const step of operations) {
            if (step.op === 'get') expect(lru.get(step.key)).toBe(model.get(step.key));
            else if (step.op === 'set') {
              // `add` is `set` for a key the caller just found absent.
              if (model.entries.some(([key]) => key === step.key)) lru.set(step.key, step.value);
              else lru.add(step.key, step.value);
              model.set(step.key, step.value);
            } else {
              lru.delete(step.key);
              model.delete(step.key);
            }
            expect(lru.size).toBe(model.entries.length);
          }
          for (const [key, value] of [...model.entries]) expect(lru.get(key)).toBe(value);
        },
      ),
      { numRuns: 500 },
    );
    console.log(`LruMap model check: ${runs} random operation sequences`);
  });
});
