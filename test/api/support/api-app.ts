import type { INestApplication, Provider } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  PathorsAgentService,
  PathorsCallsService,
  PathorsChatService,
  PathorsModule,
  PathorsSessionService,
  type PathorsModuleOptions,
} from 'nestjs-pathors';
import type { PathorsSimulator } from 'nestjs-pathors/testing';

/** A booted API-only app whose PathorsModule talks to the simulator. */
export interface ApiApp {
  readonly app: INestApplication;
  readonly sessions: PathorsSessionService;
  readonly chat: PathorsChatService;
  readonly calls: PathorsCallsService;
  readonly agent: PathorsAgentService;
  close(): Promise<void>;
}

/**
 * Boots a Nest app with `PathorsModule.forRoot({ ...simulator.moduleOptions(), ...options })`, the webhook off, and
 * fast retries (1-5 ms) so retry paths stay quick.
 */
export async function createApiApp(
  simulator: PathorsSimulator,
  options: PathorsModuleOptions = {},
  providers: Provider[] = [],
): Promise<ApiApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      PathorsModule.forRoot({
        ...simulator.moduleOptions(),
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2000 },
        webhook: { enabled: false },
        ...options,
      }),
    ],
    providers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return {
    app,
    sessions: app.get(PathorsSessionService),
    chat: app.get(PathorsChatService),
    calls: app.get(PathorsCallsService),
    agent: app.get(PathorsAgentService),
    close: () => app.close(),
  };
}
