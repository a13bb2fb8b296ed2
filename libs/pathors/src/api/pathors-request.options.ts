/**
 * Per-call options every Pathors service method takes as its last argument.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await sessions.getSession('user-42', { signal: controller.signal, timeoutMs: 2000 });
 * ```
 */
export interface PathorsRequestOptions {
  /** Cancels the call (and a stream being read); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Timeout of each attempt, in milliseconds.
   * @default the module option `timeoutMs`
   */
  readonly timeoutMs?: number;
  /**
   * Attempts for this call, the first included (only calls safe to repeat are ever retried).
   * @default the module option `retry.maxAttempts`
   */
  readonly maxAttempts?: number;
}
