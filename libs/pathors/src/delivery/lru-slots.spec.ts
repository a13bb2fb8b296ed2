import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LruSlots } from './lru-slots.js';

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

/** Operations on keys drawn from `keys`. */
const operationOn = (keys: readonly string[]) =>
  fc.oneof(
    fc.record({ op: fc.constant('get' as const), key: fc.constantFrom(...keys) }),
    fc.record({ op: fc.constant('set' as const), key: fc.constantFrom(...keys), value: fc.integer() }),
    fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...keys) }),
  );
const FEW_KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
// Enough keys and capacity for the index to grow several times, wrap around and shift entries back on deletion.
const MANY_KEYS = Array.from({ length: 120 }, (_, index) => `lifecycle:${index.toString(36)}:call.ended`);

/** A key-value LRU map made of the slots and a column of values, as the in-memory store uses them. */
class SlotMap {
  readonly slots: LruSlots;
  private readonly values: number[] = [];

  constructor(private readonly max: number) {
    this.slots = new LruSlots(max);
  }

  get(key: string): number | undefined {
    const slot = this.slots.find(key);
    return slot === -1 ? undefined : this.values[slot];
  }

  set(key: string, value: number): void {
    let slot = this.slots.find(key);
    if (slot === -1) slot = this.slots.insert(key);
    if (!(slot >= 0 && slot < this.max)) throw new Error(`slot ${slot} outside 0..${this.max - 1}`);
    this.values[slot] = value;
  }

  delete(key: string): void {
    const slot = this.slots.find(key);
    if (slot !== -1) this.slots.remove(slot);
  }
}

describe('LruSlots', () => {
  it.each([
    ['few keys, capacity 1 to 4', FEW_KEYS, 4, 60, 500],
    ['many keys, capacity 1 to 100', MANY_KEYS, 100, 400, 300],
  ] as const)(
    'keeps a column of values as the obvious LRU model does, for random sequences of get, set and delete (%s)',
    (_label, keys, maxCapacity, maxLength, numRuns) => {
      let runs = 0;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: maxCapacity }),
          fc.array(operationOn(keys), { maxLength }),
          (max, operations) => {
            runs++;
            const lru = new SlotMap(max);
            const model = new ModelLru(max);
            for (const step of operations) {
              if (step.op === 'get') expect(lru.get(step.key)).toBe(model.get(step.key));
              else if (step.op === 'set') {
                lru.set(step.key, step.value);
                model.set(step.key, step.value);
              } else {
                lru.delete(step.key);
                model.delete(step.key);
              }
              expect(lru.slots.size).toBe(model.entries.length);
            }
            for (const [key, value] of [...model.entries]) expect(lru.get(key)).toBe(value);
          },
        ),
        { numRuns },
      );
      expect(runs).toBe(numRuns);
    },
  );
});
