/** Input of {@link PathorsSessionService.createSession}. */
export interface CreatePathorsSessionInput {
  /** Your own id for the conversation (a UUID, `user-123-2026-05-03`, …); reuse it in completions. */
  readonly sessionId: string;
  /** Initial session variables the pathway can reference. */
  readonly variables?: Record<string, unknown>;
  /** Where the session comes from, e.g. `'api'` or `'web'`. */
  readonly provider?: string;
}

/** A session Pathors created. */
export interface PathorsCreatedSession {
  readonly sessionId: string;
  /** The project's pathway. */
  readonly pathwayId?: string;
}

/** One message of a session's transcript. */
export interface PathorsSessionMessage {
  readonly role: string;
  readonly content: string;
  /** When the message was sent or received, if Pathors said. */
  readonly timestamp?: string;
}

/**
 * A session with its transcript, normalised from whichever of the documented response shapes Pathors sent
 * (`{sessionId, data: {variables, messages}}`, `{sessionId, state: {…}}` or `{sessionId, events: [message.sent | …]}`).
 */
export interface PathorsSession {
  readonly sessionId: string;
  /** Session variables (empty when the response carried none). */
  readonly variables: Record<string, unknown>;
  /** The transcript in order. */
  readonly messages: readonly PathorsSessionMessage[];
  /** `messageCount` when Pathors sent one, else the transcript's length. */
  readonly messageCount: number;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  /** The response body as received, for fields this version does not map. */
  readonly raw: unknown;
}

/** What Pathors answered to {@link PathorsSessionService.endSession}. */
export interface PathorsEndedSession {
  readonly sessionId: string;
  readonly message?: string;
}

/** Input of {@link PathorsSessionService.terminateSession}: give the session id, the phone number, or both. */
export interface TerminatePathorsSessionInput {
  readonly sessionId?: string;
  /**
   * Number of a live call, written as the call was placed: E.164, or with `apiStyle: 'legacy'` also a local number
   * (the rule of `PathorsCallsService.startOutboundCall`'s `toNumber`).
   */
  readonly phoneNumber?: string;
  /** Said or sent before the session stops. */
  readonly message?: string;
}

/** What Pathors answered to {@link PathorsSessionService.terminateSession}. */
export interface PathorsTerminatedSession {
  readonly success: boolean;
  /** E.g. `'call'` or `'chat'`. */
  readonly sessionType?: string;
}

/** Input of {@link PathorsSessionService.searchSessions}. */
export interface SearchPathorsSessionsInput {
  /** Case-sensitive substring matched against the session JSON. */
  readonly query: string;
  /**
   * Results per page, 1 to 1000.
   * @default 50
   */
  readonly limit?: number;
  /**
   * Results to skip.
   * @default 0
   */
  readonly offset?: number;
}

/** One search hit. */
export interface PathorsSessionSearchResult {
  readonly sessionId: string;
  readonly data: unknown;
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

/** One page of search results, newest `updatedAt` first. */
export interface PathorsSessionSearchPage {
  readonly results: readonly PathorsSessionSearchResult[];
  readonly pagination: { readonly limit: number; readonly offset: number; readonly total: number };
}

/** One entry of the project's session history. */
export interface PathorsSessionHistoryEntry {
  readonly sessionId: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  /** The entry as received. */
  readonly raw: Record<string, unknown>;
}
