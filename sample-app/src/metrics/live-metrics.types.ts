/** One second of the inspector's live chart. */
export interface LiveMetricsPoint {
  /** When the second ended. */
  readonly at: string;
  /**
   * Deliveries answered during the second, by `pathors.outcome` (`handled`, `duplicate`, `failed`, …), and
   * `rejected`: requests refused before the delivery pipeline (401, 400, …).
   */
  readonly deliveries: Readonly<Record<string, number>>;
  /** Handler duration percentiles in ms over the window ending at this second; absent when no handler ran in it. */
  readonly handlerLatencyMs?: { readonly p50: number; readonly p95: number; readonly p99: number };
}

/** `GET /inspector/live-metrics`: the last minute of webhook deliveries and handler latency, from the SDK. */
export interface LiveMetrics {
  /** Seconds each point covers. */
  readonly intervalSeconds: number;
  /** Seconds of handler runs each point's percentiles cover. */
  readonly latencyWindowSeconds: number;
  /** Oldest first. */
  readonly points: readonly LiveMetricsPoint[];
  /** Deliveries by outcome (and `rejected`) since the app started. */
  readonly totals: Readonly<Record<string, number>>;
}
