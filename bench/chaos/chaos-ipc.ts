// What the chaos run (main.ts) and its replicas (chaos-app.process.ts) share: settings, messages, ledger lines.

/** Direct mode runs handlers in the request; inbox mode persists the delivery in BullMQ first. */
export type ChaosMode = 'direct' | 'inbox';

/** The webhook's shared secret in the run. */
export const CHAOS_SECRET = 'chaos-run-secret';

/** Short timings, so that leases, locks and budgets run out within the run. */
export const TIMINGS = {
  answerBudgetMs: 800,
  claimLeaseMs: 1_000,
  lockDurationMs: 3_000,
  /** How long the slow handler takes: past the answer budget. */
  slowHandlerMs: 2_400,
  /** Share of handler runs that throw. */
  failureRate: 0.1,
} as const;

/** The handlers of every lifecycle event in a replica: an event is handled once each of them succeeded. */
export const CHAOS_HANDLERS = ['ChaosHandlers.crm', 'ChaosHandlers.billing'] as const;

/** How one replica is started (passed as its one argument, JSON). */
export interface ReplicaSettings {
  readonly name: string;
  readonly adapter: 'fastify' | 'express';
  readonly mode: ChaosMode;
  readonly port: number;
  readonly redisPort: number;
  /** Key prefix of the module's store and of BullMQ in this mode. */
  readonly keyPrefix: string;
  /** The file each handler run appends a {@link LedgerLine} to. */
  readonly ledger: string;
  /** Event keys ({@link eventKey}) on which the handler `ChaosHandlers.crm` outlasts the answer budget. */
  readonly slowKeys: readonly string[];
}

/** One handler run, as a handler appends it to the ledger (a file of JSON lines, not the module's store). */
export interface LedgerLine {
  /** {@link eventKey} of the event. */
  readonly key: string;
  readonly handler: string;
  readonly replica: string;
  readonly ok: boolean;
  /** Milliseconds since the epoch, when the run ended. */
  readonly at: number;
}

/** What names one event in the run: its name and session (what its idempotency key is made of). */
export const eventKey = (eventName: string, sessionId: string | undefined): string =>
  `${eventName}/${sessionId ?? ''}`;

/** Messages the orchestrator sends a replica: boot the app (once), or close it. */
export type ReplicaRequest = { readonly type: 'start' | 'close' };

/**
 * Messages a replica sends: `loaded` once its modules are loaded (on standby), `ready` once its app listens,
 * `slow-started` when the slow handler begins.
 */
export type ReplicaReply =
  { readonly type: 'loaded' | 'ready' } | { readonly type: 'slow-started'; readonly key: string };
