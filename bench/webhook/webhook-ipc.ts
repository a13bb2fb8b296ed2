/** The apps the webhook benchmark compares; see the README's Performance section. */
export type ScenarioName = 'bare' | 'memory' | 'redis' | 'inbox';

/** What the benchmark asks an app process. */
export type AppRequest =
  { type: 'loop-delay-reset' } | { type: 'loop-delay-read' } | { type: 'cpu-read' } | { type: 'close' };

/** What an app process answers. */
export type AppReply =
  | { type: 'ready'; port: number; path: string }
  | { type: 'ok' }
  | { type: 'loop-delay'; p50Ms: number; p99Ms: number; maxMs: number; rssBytes: number }
  /** CPU time the app process used so far (user + system), in microseconds. */
  | { type: 'cpu'; micros: number };
