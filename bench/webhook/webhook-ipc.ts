/** The apps the webhook benchmark measures; see bench/README.md. */
export type ScenarioName = 'bare' | 'memory' | 'redis' | 'inbox';

/** The HTTP adapters every scenario runs on. */
export const BENCH_ADAPTERS = ['express', 'fastify'] as const;
/** One of {@link BENCH_ADAPTERS}. */
export type BenchAdapter = (typeof BENCH_ADAPTERS)[number];

/** What the benchmark asks an app process. */
export type AppRequest =
  { type: 'loop-delay-reset' } | { type: 'loop-delay-read' } | { type: 'cpu-read' } | { type: 'close' };

/** What an app process answers. */
export type AppReply =
  /** Listening; `libraryEntry` is the file `nestjs-pathors` resolved to in this process (which source it runs). */
  | { type: 'ready'; port: number; path: string; libraryEntry: string }
  | { type: 'ok' }
  | { type: 'loop-delay'; p50Ms: number; p99Ms: number; maxMs: number; rssBytes: number }
  /**
   * CPU time the app process used so far (user + system), in microseconds, and the Redis commands its ioredis
   * clients (the store's and BullMQ's) sent so far: each a round trip, a script counting as one.
   */
  | { type: 'cpu'; micros: number; redisCommands: number };
