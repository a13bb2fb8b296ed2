import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import { PathorsHandlerExplorer } from '../delivery/pathors-handler.explorer.js';
import { mountedWebhookPath } from '../webhooks/webhook-route.util.js';
import { PathorsAgentService } from './pathors-agent.service.js';
import {
  PATHORS_WEBHOOK_EVENTS,
  type PathorsPostSessionWebhook,
  type PathorsWebhookEventName,
} from './pathors-agent.types.js';

/**
 * Opt-in boot registration (`webhook.register`): points the agent's `postSessionWebhook` at this app, with the
 * shared-secret header and exactly the lifecycle events the app's `@OnPathorsEvent()` handlers listen to. Internal.
 */
@Injectable()
export class PathorsWebhookRegistrar implements OnApplicationBootstrap {
  private readonly logger = new Logger('PathorsWebhookRegistrar');

  constructor(
    @Inject(PATHORS_RESOLVED_OPTIONS) private readonly options: ResolvedPathorsOptions,
    private readonly agent: PathorsAgentService,
    private readonly handlers: PathorsHandlerExplorer,
    private readonly appConfig: ApplicationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const registration = this.options.webhook.register;
    if (!registration) return;
    try {
      await this.register(registration.publicUrl);
    } catch (error) {
      if (registration.required) throw error;
      this.logger.error(`Could not register the webhook on the Pathors agent: ${(error as Error).message}`);
    }
  }

  /**
   * The lifecycle events some `@OnPathorsEvent()` handler of the app listens to (`'*'` means all of them), read from
   * `PATHORS_HANDLER_METADATA` on the providers' methods (discovered with DiscoveryService and MetadataScanner).
   */
  handledWebhookEvents(): PathorsWebhookEventName[] {
    const handled = new Set(this.handlers.findHandlers().flatMap((handler) => handler.events));
    return PATHORS_WEBHOOK_EVENTS.filter((event) => handled.has('*') || handled.has(event));
  }

  private async register(publicUrl: string): Promise<void> {
    const events = this.handledWebhookEvents();
    if (events.length === 0) {
      this.logger.warn(
        'webhook.register is set but no @OnPathorsEvent() handler listens to a lifecycle event ' +
          `(${PATHORS_WEBHOOK_EVENTS.join(', ')}), so the agent was left unchanged.`,
      );
      return;
    }
    const { secretHeader, secrets, path } = this.options.webhook;
    const url = `${publicUrl}${mountedWebhookPath(this.appConfig.getGlobalPrefix(), path)}`;
    // The first secret is the current one; the others are only still accepted during a rotation.
    const auth = {
      key: secretHeader,
      value: secretHeader === 'authorization' ? `Bearer ${secrets[0]}` : secrets[0],
    };
    const { changed } = await this.agent.setPostSessionWebhook((current): PathorsPostSessionWebhook => ({
      url,
      // Headers the user added by hand (tracing, routing) stay; only the secret's header is ours.
      headers: [
        ...(current?.headers ?? []).filter((header) => header.key.toLowerCase() !== secretHeader),
        auth,
      ],
      events,
    }));
    this.logger.log(
      `${changed ? 'Registered' : 'Already registered'} ${url} on the Pathors agent for ${events.join(', ')}`,
    );
  }
}
