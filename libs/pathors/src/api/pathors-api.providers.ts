import type { Provider } from '@nestjs/common';
import { PathorsAgentService } from './pathors-agent.service.js';
import { PathorsApiClient } from './pathors-api.client.js';
import { PathorsCallsService } from './pathors-calls.service.js';
import { PathorsChatService } from './pathors-chat.service.js';
import { PathorsHttpTransport, UndiciPathorsHttpTransport } from './pathors-http.transport.js';
import { PathorsSessionService } from './pathors-session.service.js';
import { PathorsWebhookRegistrar } from '../webhooks/pathors-webhook.registrar.js';

/** The services users inject. */
export const PATHORS_API_EXPORTS = [
  PathorsSessionService,
  PathorsChatService,
  PathorsCallsService,
  PathorsAgentService,
  PathorsHttpTransport,
] as const;

/** Everything the API client needs in PathorsModule (its DiscoveryModule import included there). */
export const PATHORS_API_PROVIDERS: Provider[] = [
  { provide: PathorsHttpTransport, useClass: UndiciPathorsHttpTransport },
  PathorsApiClient,
  PathorsSessionService,
  PathorsChatService,
  PathorsCallsService,
  PathorsAgentService,
  PathorsWebhookRegistrar,
];
