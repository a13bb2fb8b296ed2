export { PathorsSessionService } from './pathors-session.service.js';
export type * from './pathors-session.types.js';
export { PathorsChatService } from './pathors-chat.service.js';
export type * from './pathors-chat.types.js';
export {
  PathorsCallsService,
  type PathorsOutboundCall,
  type StartPathorsOutboundCallInput,
} from './pathors-calls.service.js';
export { PathorsAgentService } from './pathors-agent.service.js';
export * from './pathors-agent.types.js';
export type { PathorsRequestOptions } from './pathors-request.options.js';
export {
  PathorsApiError,
  PathorsAuthenticationError,
  PathorsBadRequestError,
  PathorsCallInProgressError,
  PathorsForbiddenError,
  PathorsInsufficientCreditsError,
  PathorsInvalidArgumentError,
  PathorsNetworkError,
  PathorsNotFoundError,
  PathorsRateLimitError,
  PathorsServerError,
  PathorsTimeoutError,
  type PathorsApiErrorContext,
} from './pathors-api.errors.js';
export {
  PathorsHttpTransport,
  FetchPathorsHttpTransport,
  UndiciPathorsHttpTransport,
  type PathorsHttpRequest,
} from './pathors-http.transport.js';
export {
  PathorsClients,
  type PathorsProjectClients,
  type PathorsTenantCredentials,
} from './pathors-clients.js';
