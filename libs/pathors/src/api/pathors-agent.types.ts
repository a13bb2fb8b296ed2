/** A static header Pathors sends with every webhook POST (e.g. the shared secret). */
export interface PathorsWebhookHeader {
  readonly key: string;
  readonly value: string;
}

/** The agent's webhook: where Pathors POSTs lifecycle events, with which headers, for which events. */
export interface PathorsPostSessionWebhook {
  /** Absolute http(s) URL. */
  readonly url: string;
  readonly headers?: readonly PathorsWebhookHeader[];
  /**
   * Lifecycle events to send, one POST each per session.
   * @default ['session.ended'] (Pathors' default when absent)
   */
  readonly events?: readonly string[];
}

/**
 * The agent's configuration as Pathors returns it. Only `postSessionWebhook` is typed; every other field
 * (`postSessionVariableKeys`, `variableConfigs`, `voiceIntelligence`, `postEvaluationConfig`, …) is kept as received
 * and written back unchanged.
 */
export interface PathorsAgentConfig {
  readonly postSessionWebhook?: PathorsPostSessionWebhook | null;
  readonly [field: string]: unknown;
}

/** Outcome of {@link PathorsAgentService.setPostSessionWebhook}. */
export interface PathorsWebhookUpdate {
  /** `false` when the agent already held this webhook, so nothing was written. */
  readonly changed: boolean;
  /** The webhook the agent holds now. */
  readonly webhook: PathorsPostSessionWebhook | null;
}

/** The lifecycle events `postSessionWebhook.events` accepts. */
export const PATHORS_WEBHOOK_EVENTS = [
  'session.ended',
  'call.ended',
  'session.finalized',
  'recording.ready',
] as const;

/** One of {@link PATHORS_WEBHOOK_EVENTS}. */
export type PathorsWebhookEventName = (typeof PATHORS_WEBHOOK_EVENTS)[number];
