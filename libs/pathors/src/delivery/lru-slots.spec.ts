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
// Some keys fill most of a slot's row of 96 code units, some are longer (kept as strings), and some differ from a
// base key in one code unit only, first, in the middle or last.
const BASE_KEY = 'lifecycle:00000000-0000-4000-8000-000000000000:call.ended';
const MANY_KEYS = [
  ...Array.from({ length: 100 }, (_, index) =>
    index % 10 === 0
      ? `${'é'.repeat(90 + (index % 20))}${index}`
      : `lifecycle:${index.toString(36)}:call.ended`,
  ),
  ...[0, 1, 25, BASE_KEY.length - 1].flatMap((at) =>
    ['x', 'y'].map((unit) => `${BASE_KEY.slice(0, at)}${unit}${BASE_KEY.slice(at + 1)}`),
  ),
  BASE_KEY,
  `${'k'.repeat(96)}`,
  `${'k'.repeat(95)}l`,
  `${'k'.repeat(97)}`,
];

/** A key-value LRU map made of the slots and a column of values, as the in-memory store uses them. */
class SlotMap {
  readonly slots: LruSlots;
  private readonly values: number[] = [];

  constructor(
    private readonly max: number,
    hash?: (key: string) => number,
  ) {
    this.slots = new LruSlots(max, hash);
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
  // A hash with four values makes most keys collide: the keys' contents must tell them apart.
  const colliding = (key: string) => key.length % 4;
  it.each([
    ['few keys, capacity 1 to 4', FEW_KEYS, 4, 60, 500, undefined],
    ['many keys, capacity 1 to 100', MANY_KEYS, 100, 400, 300, undefined],
    ['many keys, colliding hashes', MANY_KEYS, 100, 400, 200, colliding],
  ] as const)(
    'keeps a column of values as the obvious LRU model does, for random sequences of get, set and delete (%s)',
    (_label, keys, maxCapacity, maxLength, numRuns, hash) => {
      let runs = 0;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: maxCapacity }),
          fc.array(operationOn(keys), { minLength: maxLength / 2, maxLength }),
          (max, operations) => {
            runs++;
            const lru = new SlotMap(max, hash);
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
