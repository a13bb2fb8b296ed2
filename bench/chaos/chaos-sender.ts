import { setTimeout as sleep } from 'node:timers/promises';
import { sharedSecretHeaders, type PathorsPayload } from 'nestjs-pathors/testing';
import { CHAOS_SECRET } from './chaos-ipc.js';

/** A replica the sender can reach. */
export interface ChaosTarget {
  readonly name: string;
  readonly url: string;
}

/** The answer that ended a delivery's retries: a 2xx. */
export interface ChaosAnswer {
  readonly status: number;
  /** The `note` of the body, when it has one (`processing continues in the background`, …). */
  readonly note?: string;
  readonly replica: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

/** Pathors gives up on an attempt not answered within 15 s. */
const ATTEMPT_TIMEOUT_MS = 15_000;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;
const HEADERS = { ...sharedSecretHeaders(CHAOS_SECRET), 'content-type': 'application/json' };

/**
 * Sends webhooks as Pathors' platform dialect does: every non-2xx answer and every connection error is retried with
 * exponential backoff (jittered) until a deadline; a 2xx ends the delivery. Behind no proxy, each attempt goes to a
 * replica picked at random.
 */
export class ChaosSender {
  /** Attempts made, all deliveries together. */
  attempts = 0;

  constructor(
    private readonly targets: readonly ChaosTarget[],
    private readonly deadlineMs: number,
  ) {}

  /** Delivers `payload` until a 2xx (returned) or the deadline (`undefined`: given up). */
  async deliver(payload: PathorsPayload): Promise<ChaosAnswer | undefined> {
    const body = JSON.stringify(payload);
    const deadline = Date.now() + this.deadlineMs;
    for (let retry = 0; Date.now() < deadline; retry++) {
      if (retry > 0) {
        const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (retry - 1));
        await sleep(backoff / 2 + (Math.random() * backoff) / 2);
      }
      const target = this.targets[Math.floor(Math.random() * this.targets.length)];
      const answer = await this.attempt(target, body);
      if (answer) return answer;
    }
    return undefined;
  }

  private async attempt(target: ChaosTarget, body: string): Promise<ChaosAnswer | undefined> {
    this.attempts++;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: HEADERS,
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok) return undefined;
      return { status: response.status, note: noteOf(text), replica: target.name, at: Date.now() };
    } catch {
      return undefined; // refused, reset or timed out: retried
    }
  }
}

function noteOf(text: string): string | undefined {
  try {
    const note = (JSON.parse(text) as { note?: unknown }).note;
    return typeof note === 'string' ? note : undefined;
  } catch {
    return undefined;
  }
}
