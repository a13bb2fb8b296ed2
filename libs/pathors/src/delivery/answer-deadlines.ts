interface PendingAnswer {
  readonly deadline: number;
  readonly expire: () => void;
  older: PendingAnswer | undefined;
  newer: PendingAnswer | undefined;
}

/**
 * Races deliveries against one answer budget with a single timer. Every race lasts the same `budgetMs`, so deadlines
 * fall in the order the races started: the pending ones form a list, oldest first, and one timer armed for the oldest
 * serves them all. A race that settles leaves the list in O(1) and touches no timer; when the timer fires it expires
 * what is due and re-arms for the next pending deadline, if any. A Node timer set and cleared per delivery costs more
 * than this (the timer list, and a native call to (un)ref the handle whenever the count of timers leaves or reaches 0).
 */
export class AnswerDeadlines {
  private oldest: PendingAnswer | undefined;
  private newest: PendingAnswer | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly budgetMs: number) {}

  /** Settles with `work`'s outcome, or with `fallback` once the budget has passed; `work` keeps running then. */
  race<T, F>(work: Promise<T>, fallback: F): Promise<T | F> {
    return new Promise<T | F>((resolve, reject) => {
      const pending: PendingAnswer = {
        deadline: performance.now() + this.budgetMs,
        expire: () => resolve(fallback),
        older: this.newest,
        newer: undefined,
      };
      if (this.newest) this.newest.newer = pending;
      else this.oldest = pending;
      this.newest = pending;
      this.timer ??= this.arm(this.budgetMs);
      work.then(
        (value) => {
          this.remove(pending);
          resolve(value);
        },
        (error: unknown) => {
          this.remove(pending);
          reject(error);
        },
      );
    });
  }

  /** Stops the timer; pending races then settle only with their work. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): NodeJS.Timeout {
    // The timer never keeps the process alive: the work it races does, while it runs.
    return setTimeout(() => this.expireDue(), Math.max(1, Math.ceil(delayMs))).unref();
  }

  private expireDue(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.oldest && this.oldest.deadline <= now) {
      const due = this.oldest;
      this.remove(due);
      due.expire();
    }
    if (this.oldest) this.timer = this.arm(this.oldest.deadline - now);
  }

  private remove(pending: PendingAnswer): void {
    if (pending.older) pending.older.newer = pending.newer;
    else if (this.oldest === pending) this.oldest = pending.newer;
    else return; // Already removed: expired, then its work settled.
    if (pending.newer) pending.newer.older = pending.older;
    else this.newest = pending.older;
    pending.older = pending.newer = undefined;
  }
}
