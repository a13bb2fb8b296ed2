import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { FollowUpsModule } from '../follow-ups/follow-ups.module.js';
import { SupportModule } from '../support/support.module.js';
import { DemoSessionsController } from './demo-sessions.controller.js';
import { DemoSessions } from './demo-sessions.service.js';
import { EmbeddedPathors } from './embedded-pathors.js';

/**
 * The embedded mode: the running simulators, one project per agent (injectable as {@link EmbeddedPathors}), and the
 * demo endpoints, which play conversations with either agent.
 */
@Global()
@Module({})
export class EmbeddedPathorsModule implements OnApplicationShutdown {
  constructor(private readonly embedded: EmbeddedPathors) {}

  /** Registers already started simulators; the module stops them when the app shuts down. */
  static forRoot(embedded: EmbeddedPathors): DynamicModule {
    return {
      module: EmbeddedPathorsModule,
      imports: [FollowUpsModule, SupportModule],
      controllers: [DemoSessionsController],
      providers: [{ provide: EmbeddedPathors, useValue: embedded }, DemoSessions],
      exports: [EmbeddedPathors],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded.stop();
  }
}
