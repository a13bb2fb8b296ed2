import type { Provider } from '@nestjs/common';
import { PathorsAgentService } from './pathors-agent.service.js';
import { PathorsApiClient } from './pathors-api.client.js';
import { PathorsCallsService } from './pathors-calls.service.js';
import { PathorsChatService } from './pathors-chat.service.js';
import { PathorsHttpTransport, UndiciPathorsHttpTransport } from './pathors-http.transport.js';
import { PathorsSessionService } from './pathors-session.service.js';

/** The API client and its services, as each `PathorsModule` registration provides them. */
export const PATHORS_API_PROVIDERS: Provider[] = [
  { provide: PathorsHttpTransport, useClass: UndiciPathorsHttpTransport },
  PathorsApiClient,
  PathorsSessionService,
  PathorsChatService,
  PathorsCallsService,
  PathorsAgentService,
];
