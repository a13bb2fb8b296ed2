/** What every {@link PathorsApiError} knows about the request that failed. */
export interface PathorsApiErrorContext {
  /** HTTP method of the request. */
  readonly method: string;
  /** Path of the request (no host, no query, never a key). */
  readonly path: string;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** The `x-request-id` / `request-id` response header, for Pathors support. */
  readonly requestId?: string;
  /** `error.details` of the response body, when Pathors sent any. */
  readonly details?: unknown;
  /** Attempts made, retries included. */
  readonly attempts?: number;
  /** The underlying error (network failure, abort). */
  readonly cause?: unknown;
}

/**
 * A Pathors API request failed. Catch a subclass to act on its meaning (`PathorsNotFoundError`,
 * `PathorsRateLimitError`, …), or this class for all of them. The message is Pathors' own (`error` or
 * `error.message` of the body, or the start of a non-JSON body) and never contains the API key.
 */
export class PathorsApiError extends Error {
  override readonly name: string = 'PathorsApiError';
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** The message Pathors gave, as parsed from the body. */
  readonly apiMessage: string;
  /** Request id from the response headers, when Pathors sent one. */
  readonly requestId?: string;
  /** `error.details` of the body, when present. */
  readonly details?: unknown;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Path of the failed request. */
  readonly path: string;
  /** Attempts made, retries included. */
  readonly attempts: number;

  constructor(apiMessage: string, context: PathorsApiErrorContext) {
    const status = context.status === undefined ? '' : ` ${context.status}`;
    const requestId = context.requestId ? ` (request id ${context.requestId})` : '';
    super(`Pathors API ${context.method} ${context.path} failed${status}: ${apiMessage}${requestId}`, {
      cause: context.cause,
    });
    this.apiMessage = apiMessage;
    this.status = context.status;
    this.requestId = context.requestId;
    this.details = context.details;
    this.method = context.method;
    this.path = context.path;
    this.attempts = context.attempts ?? 1;
  }
}

/** 400: the request was malformed or missing a field (Pathors says which in the message). */
export class PathorsBadRequestError extends PathorsApiError {
  override readonly name: string = 'PathorsBadRequestError';
}

/** 401: the API key is missing, wrong, revoked, or a sunset legacy key (`sk_…`, `buzz_live_…`). Use a `dk_…` key. */
export class PathorsAuthenticationError extends PathorsApiError {
  override readonly name: string = 'PathorsAuthenticationError';
}

/** 402: the project has no credits left for this operation (e.g. an outbound call). */
export class PathorsInsufficientCreditsError extends PathorsApiError {
  override readonly name: string = 'PathorsInsufficientCreditsError';
}

/** 403: the key is valid but may not act on this project or resource. */
export class PathorsForbiddenError extends PathorsApiError {
  override readonly name: string = 'PathorsForbiddenError';
}

/** 404: the session, project, phone number or trunk does not exist. */
export class PathorsNotFoundError extends PathorsApiError {
  override readonly name: string = 'PathorsNotFoundError';
}

/** 409: a call to this number is already in progress. */
export class PathorsCallInProgressError extends PathorsApiError {
  override readonly name: string = 'PathorsCallInProgressError';
}

/** 429: too many requests. Thrown once retries are used up, or when `Retry-After` exceeds `retry.maxDelayMs`. */
export class PathorsRateLimitError extends PathorsApiError {
  override readonly name: string = 'PathorsRateLimitError';
  /** The `Retry-After` Pathors asked for, in milliseconds, when it sent one. */
  retryAfterMs?: number;
}

/** 5xx: Pathors failed. Retried for requests safe to repeat before this is thrown. */
export class PathorsServerError extends PathorsApiError {
  override readonly name: string = 'PathorsServerError';
}

/** No response: DNS, connection refused or reset, TLS. The original error is the `cause`. */
export class PathorsNetworkError extends PathorsApiError {
  override readonly name: string = 'PathorsNetworkError';
}

/** No response within the timeout (module option `timeoutMs`, or the per-call `timeoutMs`). */
export class PathorsTimeoutError extends PathorsApiError {
  override readonly name: string = 'PathorsTimeoutError';
}

/**
 * An argument given to a Pathors service method is invalid; nothing was sent. {@link field} names it
 * (e.g. `toNumber`, `messages[2].role`).
 */
export class PathorsInvalidArgumentError extends Error {
  override readonly name = 'PathorsInvalidArgumentError';

  constructor(
    /** The argument at fault, as a path into the method's input. */
    readonly field: string,
    problem: string,
  ) {
    super(`Invalid Pathors API argument "${field}": ${problem}`);
  }
}

type ApiErrorClass = new (message: string, context: PathorsApiErrorContext) => PathorsApiError;

const BY_STATUS: ReadonlyMap<number, ApiErrorClass> = new Map<number, ApiErrorClass>([
  [400, PathorsBadRequestError],
  [401, PathorsAuthenticationError],
  [402, PathorsInsufficientCreditsError],
  [403, PathorsForbiddenError],
  [404, PathorsNotFoundError],
  [409, PathorsCallInProgressError],
  [429, PathorsRateLimitError],
]);

/** The error class that names what an HTTP status means. */
export function apiErrorClassFor(status: number): ApiErrorClass {
  return BY_STATUS.get(status) ?? (status >= 500 ? PathorsServerError : PathorsApiError);
}
