import type { PathorsCallStatus } from '../../events/index.js';
import type { PathorsPayload } from '../event-builders.js';

/** Options of {@link PathorsSimulator}. Every field is optional. */
export interface PathorsSimulatorOptions {
  /**
   * The developer key the simulator accepts (`Authorization: Bearer <apiKey>`).
   * @default 'dk_simulator'
   */
  readonly apiKey?: string;
  /**
   * The one project the key may act on; other project ids get 403.
   * @default 'proj_simulator'
   */
  readonly projectId?: string;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Port to listen on; `0` picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Numbers with an outbound trunk: `fromNumber` of an outbound call must be one of them (else 404), compared as
   * sent (list the local form too when an app on legacy paths sends one).
   * @default ['+14155550100']
   */
  readonly phoneNumbers?: readonly string[];
  /**
   * Outbound calls the project can pay for; the next one gets 402.
   * @default Infinity
   */
  readonly credits?: number;
  /**
   * Which documented shape `GET session` answers with: `'data'` (`{sessionId, data: {variables, messages}}`),
   * `'state'` (`{sessionId, state: {…}}`) or `'events'` (`{data: {sessionId, events: [message.sent…]}}`).
   * @default 'data'
   */
  readonly sessionShape?: SimulatedSessionShape;
  /**
   * Wrap every JSON success body in `{data: …}`, as Pathors' own client code expects.
   * @default false
   */
  readonly wrapResponses?: boolean;
  /**
   * Pause between two SSE chunks of a streamed completion, in milliseconds.
   * @default 0
   */
  readonly streamChunkDelayMs?: number;
  /** Initial agent configuration fields (merged over the simulator's defaults). */
  readonly agent?: Record<string, unknown>;
  /**
   * When an agent update sets a `postSessionWebhook` other than the one held, POST a probe to its URL (with its
   * headers) before answering the update, as senders that check a URL when it is set do. Pathors documents no such
   * probe: this is for testing that the route is up by the time an app registers it. The probe is a lifecycle payload
   * with an event name Pathors never sends, `webhook.probe`, which the module answers 202 and hands to catch-all
   * handlers only. Outcomes are in {@link PathorsSimulator.webhookProbes}.
   * @default false
   */
  readonly probeWebhooks?: boolean;
}

/** See {@link PathorsSimulatorOptions.sessionShape}. */
export type SimulatedSessionShape = 'data' | 'state' | 'events';

/** A message of a simulated session. */
export interface SimulatedMessage {
  readonly role: string;
  readonly content: string;
  readonly timestamp: string;
}

/** A session the simulator holds (created by the API, by a completion, by an outbound call or by a script). */
export interface SimulatedSession {
  readonly sessionId: string;
  readonly channel: 'call' | 'text';
  readonly provider?: string;
  variables: Record<string, unknown>;
  readonly messages: SimulatedMessage[];
  readonly createdAt: string;
  updatedAt: string;
  endedAt?: string;
  /** For calls: the number called. */
  readonly phoneNumber?: string;
}

/** An outbound call the simulator accepted. */
export interface SimulatedOutboundCall {
  /** The call's session (a UUID), also present in {@link PathorsSimulator.sessions}. */
  readonly sessionId: string;
  readonly fromNumber: string;
  /** As sent: E.164, or on legacy paths possibly a local number (`0912345678`). */
  readonly toNumber: string;
  readonly dynamicVariables: Record<string, unknown>;
  /** `'in-progress'` until the session is played to its end or terminated; a second call to the number gets 409. */
  status: 'in-progress' | 'ended';
}

/** One request the simulator received, in arrival order. */
export interface SimulatorRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Request headers, names in lower case; `authorization` is masked. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body, parsed (or the raw text when it is not JSON; `undefined` without a body). */
  readonly body: unknown;
  /** Status answered (`undefined` while in flight). */
  status?: number;
  /** The client closed the connection before the response was complete (e.g. an aborted stream). */
  closedEarly: boolean;
}

/** Which requests a fault applies to; every given field must match. */
export interface SimulatorRequestMatch {
  readonly method?: string;
  /** A path substring, or a pattern tested against the path. */
  readonly path?: string | RegExp;
}

/** Options of {@link PathorsSimulator.failNext}. */
export interface SimulatedFailureOptions {
  /** Response body: an object is sent as JSON, a string as `text/plain`. By default a body of the documented shape. */
  readonly body?: string | Record<string, unknown>;
  /** Sets `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;
  /** Only requests matching this fail (and count). */
  readonly match?: SimulatorRequestMatch;
}

/** A scripted answer of the next chat completion; see {@link PathorsSimulator.queueCompletion}. */
export type SimulatedCompletion =
  | { readonly content: string }
  | {
      readonly toolCalls: ReadonlyArray<{
        readonly name: string;
        readonly arguments: Record<string, unknown>;
        /** @default a generated `call_…` id */
        readonly id?: string;
      }>;
    };

/** What {@link PathorsSimulator.playSession} plays. Every field is optional. */
export interface SimulatedSessionScript {
  /**
   * Session id; an existing session (created through the API, or an outbound call's) is continued and ended.
   * @default a new UUID
   */
  readonly sessionId?: string;
  /**
   * `'call'` sessions emit call.ended and recording.ready; `'text'` sessions do not, and their session.finalized has
   * no call fields.
   * @default the existing session's channel, else 'call'
   */
  readonly channel?: 'call' | 'text';
  /** Session variables (echoed as platform `metadata.sessionVariables`). */
  readonly variables?: Record<string, unknown>;
  /**
   * Messages exchanged before the end, appended to the session.
   * @default a four-message exchange
   */
  readonly messages?: ReadonlyArray<{ readonly role: 'user' | 'assistant'; readonly content: string }>;
  /** @default {} */
  readonly extractedVariables?: Record<string, unknown>;
  /** @default 'goodbye' */
  readonly currentNodeId?: string;
  /** @default 'userHangup' */
  readonly callStatus?: PathorsCallStatus;
  /** Seconds. @default 60 */
  readonly callDuration?: number;
  /**
   * Outcome of the call recording (`recording.ready` carries `recordingUrl` on success only).
   * @default 'success'
   */
  readonly recording?: 'success' | 'failure';
  /**
   * Deliver the session's webhooks. By default they go to the agent's `postSessionWebhook` when one is set (its URL,
   * headers and events); `false` delivers nothing.
   */
  readonly delivery?: SimulatedDeliveryOptions | false;
}

/** How a played session's webhooks are delivered. */
export interface SimulatedDeliveryOptions {
  /**
   * `'lifecycle'`: session.ended / call.ended / session.finalized / recording.ready (discriminator `event`).
   * `'platform'`: session.created / session.ended (discriminator `eventType`, Standard Webhooks signed).
   * @default 'lifecycle'
   */
  readonly dialect?: 'lifecycle' | 'platform';
  /**
   * Where to POST.
   * @default the agent's postSessionWebhook.url
   */
  readonly target?: string;
  /**
   * Headers sent with every POST.
   * @default the agent's postSessionWebhook.headers
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** Platform dialect: `whsec_…` secret to sign with (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  readonly signingSecret?: string;
  /** Platform dialect: header prefix. @default 'webhook' */
  readonly signaturePrefix?: 'webhook' | 'svix';
  /**
   * Events to deliver (those the session does not produce are skipped).
   * @default lifecycle: the agent's postSessionWebhook.events, or all four when no agent webhook is set;
   * platform: session.created and session.ended
   */
  readonly events?: readonly string[];
  /**
   * Delivery order: `'documented'` (session.ended, call.ended, session.finalized, recording.ready), `'reversed'`,
   * `'shuffled'` (seeded by {@link seed}), or an explicit list of event names.
   * @default 'documented'
   */
  readonly order?: 'documented' | 'reversed' | 'shuffled' | readonly string[];
  /** Seed of `'shuffled'`, for a reproducible order. @default 1 */
  readonly seed?: number;
  /** Events delivered a second time right after the first (`'all'` for every one). */
  readonly duplicates?: readonly string[] | 'all';
  /** Events never delivered (reported with `dropped: true`). */
  readonly drop?: readonly string[];
  /**
   * Retry a non-2xx answer or a network error with exponential backoff (the platform dialect's contract).
   * `maxAttempts: 1` (the default) delivers at most once, like the lifecycle webhooks of the older documentation.
   * @default { maxAttempts: 1, baseDelayMs: 100 }
   */
  readonly retry?: { readonly maxAttempts?: number; readonly baseDelayMs?: number };
  /** Per-attempt timeout; Pathors' answer budget. @default 15000 */
  readonly timeoutMs?: number;
}

/** One attempt to deliver a webhook. */
export interface SimulatedDeliveryAttempt {
  /** HTTP status, or `null` when no response came (network error, timeout). */
  readonly status: number | null;
  readonly error?: string;
}

/** What happened to one webhook of a session. */
export interface SimulatedDelivery {
  readonly event: string;
  readonly dialect: 'lifecycle' | 'platform';
  /** The payload sent (or that would have been sent, when dropped). */
  readonly payload: PathorsPayload;
  /** This is the repeated copy of a duplicated event. */
  readonly duplicate: boolean;
  /** Not sent on purpose (`drop`). */
  readonly dropped: boolean;
  readonly attempts: readonly SimulatedDeliveryAttempt[];
  /** Status of the last attempt (`null` when dropped or when no response came). */
  readonly status: number | null;
  /** The last attempt got a 2xx. */
  readonly delivered: boolean;
  /** Body of the last response. */
  readonly responseBody?: string;
}

/** What {@link PathorsSimulator.playSession} did. */
export interface PlayedSession {
  readonly sessionId: string;
  readonly channel: 'call' | 'text';
  /** The payloads the session emitted, in the documented order (before drops, duplicates, reordering). */
  readonly payloads: readonly PathorsPayload[];
  /** Every delivery, in the order sent. Empty when nothing was delivered. */
  readonly deliveries: readonly SimulatedDelivery[];
}

/** Options of {@link PathorsSimulator.deliverWebhook}. */
export type SimulatedSingleDeliveryOptions = Pick<
  SimulatedDeliveryOptions,
  'target' | 'headers' | 'signingSecret' | 'signaturePrefix' | 'retry' | 'timeoutMs'
> & {
  /** Standard Webhooks message id (kept across retries). @default a new `msg_…` id */
  readonly messageId?: string;
};
