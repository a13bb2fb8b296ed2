import { randomUUID } from 'node:crypto';
import type { PathorsCallStatus } from '../events/lifecycle/call-status.js';
import type { PathorsDialect } from '../events/pathors-event.map.js';
import type { SimulatedSession, SimulatedSessionScript } from '../testing/simulator/simulator.types.js';
import {
  eventNameOf,
  LIFECYCLE_ORDER,
  orderPayloads,
  PLATFORM_ORDER,
  sessionPayloads,
} from '../testing/simulator/simulator-webhooks.js';
import { CLI_EXIT, type CliExitCode } from './cli-exit-codes.js';
import type { CliOutput } from './cli-output.js';
import { deliveryHeaders, postWebhook, type WebhookCredentials } from './webhook-sender.js';

/** Options of the `simulate` command. */
export interface SimulateOptions {
  /** The webhook endpoint. */
  readonly url: URL;
  /** How each delivery authenticates. */
  readonly credentials: WebhookCredentials;
  /** Sessions to play. */
  readonly sessions: number;
  /** Sessions played at the same time; each session's events are sent one after the other. */
  readonly concurrency: number;
  readonly dialect: PathorsDialect;
  /** Share of text sessions (no call.ended, no recording.ready, no call fields). */
  readonly textRatio: number;
  /** Deliver every event twice, with the same message id. */
  readonly duplicates?: boolean;
  /** Shuffle each session's events, seeded by `seed` plus the session's index. */
  readonly reorder?: boolean;
  readonly seed: number;
}

/** Call outcomes the simulated sessions cycle through, with realistic durations. */
const CALL_OUTCOMES: ReadonlyArray<[PathorsCallStatus, number]> = [
  ['userHangup', 95],
  ['agentHangup', 143],
  ['voicemail', 31],
  ['busy', 0],
  ['userNoAnswer', 0],
  ['transferred', 210],
];

const MESSAGES = [
  'Hello, this is Ava from Acme.',
  'Hi, I wanted to book a demo.',
  'Tuesday at 10 works?',
  'Perfect.',
];

/** The n-th simulated session and its script: an even mix of call and text sessions, varied outcomes. */
function sessionAt(index: number, textRatio: number): [SimulatedSession, SimulatedSessionScript] {
  const isText = Math.floor((index + 1) * textRatio) > Math.floor(index * textRatio);
  const [callStatus, callDuration] = CALL_OUTCOMES[index % CALL_OUTCOMES.length];
  const now = new Date().toISOString();
  const session: SimulatedSession = {
    sessionId: randomUUID(),
    channel: isText ? 'text' : 'call',
    variables: { crmContactId: `crm-${1000 + index}` },
    messages: MESSAGES.map((content, turn) => ({
      role: turn % 2 ? 'user' : 'assistant',
      content,
      timestamp: now,
    })),
    createdAt: now,
    updatedAt: now,
    endedAt: now,
    ...(isText ? {} : { phoneNumber: '+14155550123' }),
  };
  const script: SimulatedSessionScript = {
    callStatus,
    callDuration,
    currentNodeId: 'goodbye',
    extractedVariables: { intention: 'book a demo' },
    recording: index % 7 === 6 ? 'failure' : 'success',
  };
  return [session, script];
}

interface EventStats {
  sent: number;
  statuses: Map<number, number>;
  latencies: number[];
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * Plays whole session lifecycles against a webhook endpoint: each session's events as the Pathors simulator emits
 * them (documented order, or shuffled with `reorder`; each twice with `duplicates`), authenticated, timed; then prints
 * a table per event: sent, status codes, latency p50/p95/p99.
 */
export async function runSimulate(options: SimulateOptions, out: CliOutput): Promise<CliExitCode> {
  const stats = new Map<string, EventStats>();
  let next = 0;
  let played = 0;
  let sent = 0;

  const send = async (event: string, body: string, messageId: string): Promise<void> => {
    const answer = await postWebhook(
      options.url,
      body,
      deliveryHeaders(options.credentials, body, messageId),
    );
    const entry = stats.get(event) ?? { sent: 0, statuses: new Map<number, number>(), latencies: [] };
    entry.sent++;
    entry.statuses.set(answer.status, (entry.statuses.get(answer.status) ?? 0) + 1);
    entry.latencies.push(answer.latencyMs);
    stats.set(event, entry);
    sent++;
  };

  const worker = async (): Promise<void> => {
    while (next < options.sessions) {
      const index = next++;
      const [session, script] = sessionAt(index, options.textRatio);
      const payloads = sessionPayloads(session, script, options.dialect, 'proj_simulator', randomUUID());
      const order = options.reorder ? 'shuffled' : 'documented';
      for (const payload of orderPayloads(payloads, order, options.seed + index)) {
        const body = JSON.stringify(payload);
        // One message id per event: a duplicate is the same message delivered again.
        const messageId = `msg_${randomUUID()}`;
        await send(eventNameOf(payload), body, messageId);
        if (options.duplicates) await send(eventNameOf(payload), body, messageId);
      }
      played++;
      out.progress(`simulate: ${played}/${options.sessions} sessions, ${sent} deliveries`);
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.sessions) }, worker));
  const seconds = (performance.now() - started) / 1000;
  out.clearProgress();

  const rows: string[][] = [['event', 'sent', 'status codes', 'p50 ms', 'p95 ms', 'p99 ms']];
  const all: EventStats = { sent: 0, statuses: new Map(), latencies: [] };
  // Rows in the documented order of a session's events, whatever order they were sent in.
  const documented: readonly string[] = [...PLATFORM_ORDER.slice(0, 1), ...LIFECYCLE_ORDER];
  const rank = (event: string) =>
    documented.includes(event) ? documented.indexOf(event) : documented.length;
  for (const [event, entry] of [...stats].sort(([a], [b]) => rank(a) - rank(b))) {
    rows.push(statsRow(event, entry, out));
    all.sent += entry.sent;
    all.latencies.push(...entry.latencies);
    for (const [status, count] of entry.statuses)
      all.statuses.set(status, (all.statuses.get(status) ?? 0) + count);
  }
  rows.push(statsRow('total', all, out));
  out.table(rows);
  out.line(
    `${options.sessions} sessions (${options.dialect}${options.duplicates ? ', duplicates' : ''}` +
      `${options.reorder ? ', reordered' : ''}) in ${seconds.toFixed(1)} s`,
  );
  const failed = [...all.statuses].some(([status]) => status < 200 || status >= 300);
  return failed ? CLI_EXIT.nonSuccessStatus : CLI_EXIT.ok;
}

function statsRow(event: string, entry: EventStats, out: CliOutput): string[] {
  const sorted = [...entry.latencies].sort((a, b) => a - b);
  const codes = [...entry.statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${out.status(status)} x${count}`)
    .join(', ');
  const ms = (p: number) => percentile(sorted, p).toFixed(1);
  return [event, String(entry.sent), codes, ms(50), ms(95), ms(99)];
}
