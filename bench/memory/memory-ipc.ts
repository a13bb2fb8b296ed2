/** What the memory benchmark asks its process: how many deliveries, and a reading every how many. */
export type MemoryRequest = { type: 'run'; deliveries: number; every: number };

/** A memory reading, taken after a full garbage collection. */
export interface MemoryReading {
  readonly rssBytes: number;
  /** The JS heap in use plus array buffers (typed arrays keep their memory outside the heap). */
  readonly heapAndBuffersBytes: number;
}

/** What the memory process reports. */
export type MemoryReply =
  | { type: 'ready' }
  | ({ type: 'start'; cap: number } & MemoryReading)
  | ({ type: 'progress'; deliveries: number } & MemoryReading);
