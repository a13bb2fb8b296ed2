import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:net';
import {
  PATHORS_WEBHOOK_EVENTS,
  type PathorsPostSessionWebhook,
  type PathorsWebhookEventName,
} from '../api/pathors-agent.types.js';
import { PathorsAgentService } from '../api/pathors-agent.service.js';
import { PathorsHandlerExplorer } from '../delivery/pathors-handler.explorer.js';
import type { ResolvedPathorsOptions, ResolvedWebhookRegistration } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import { mountedWebhookPath } from './webhook-route.util.js';

/**
 * Opt-in registration (`webhook.register`): points the agent's `postSessionWebhook` at this app, with the
 * shared-secret header and exactly the lifecycle events the app's `@OnPathorsEvent()` handlers listen to. Internal.
 *
 * It runs once the HTTP server listens (at once if it already listens at bootstrap), never before: Pathors, or any
 * sender that probes a URL when it is set, must find the route up. An app that only calls `app.init()` and never
 * listens (a testing module, a worker without HTTP) registers nothing.
 *
 * `app.listen()` has resolved by the time a registration fails, so `required: true` cannot fail it. The registrar
 * ends the process instead, as Nest ends it when a boot step fails under its default `abortOnError`: it logs the
 * error with the fix, then calls `process.exit(1)`. A deploy or a supervisor then sees a failed start, not an app
 * that serves while Pathors sends its events elsewhere. With `required: false` the error is logged and the app runs
 * on.
 */
@Injectable()
export class PathorsWebhookRegistrar implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PathorsWebhookRegistrar.name);
  /** Cancels a registration still under way when the app shuts down. */
  private readonly shutdown = new AbortController();
  private stopWaiting?: () => void;

  constructor(
    @Inject(PATHORS_RESOLVED_OPTIONS) private readonly options: ResolvedPathorsOptions,
    private readonly agent: PathorsAgentService,
    private readonly handlers: PathorsHandlerExplorer,
    private readonly appConfig: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Registers when the HTTP server starts listening, or at once when it already listens. */
  onApplicationBootstrap(): void {
    const registration = this.options.webhook.register;
    // An application context has no HTTP adapter, hence no route to register.
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!registration || !server) return;
    const start = (): void => void this.registerOrFail(registration);
    if (server.listening) return start();
    server.once('listening', start);
    this.stopWaiting = () => server.off('listening', start);
  }

  /**
   * Stops waiting for the server and cancels a registration under way: first of the shutdown hooks, before the API
   * client's connection pool closes under the request (which would read as a failed registration).
   */
  onModuleDestroy(): void {
    this.stopWaiting?.();
    this.shutdown.abort();
  }

  /**
   * The lifecycle events some `@OnPathorsEvent()` handler of this registration listens to (`'*'` means all of them), read from
   * `PATHORS_HANDLER_METADATA` on the providers' methods (discovered with DiscoveryService and MetadataScanner).
   */
  handledWebhookEvents(): PathorsWebhookEventName[] {
    const handled = new Set(
      this.handlers.findHandlers(this.options.registration).flatMap((handler) => handler.events),
    );
    return PATHORS_WEBHOOK_EVENTS.filter((event) => handled.has('*') || handled.has(event));
  }

  private async registerOrFail(registration: ResolvedWebhookRegistration): Promise<void> {
    try {
      await this.register(registration.publicUrl);
    } catch (error) {
      if (this.shutdown.signal.aborted) return;
      const problem = `Could not register the webhook on the Pathors agent: ${(error as Error).message}`;
      if (!registration.required) {
        this.logger.error(problem);
        return;
      }
      this.logger.error(
        `${problem}. webhook.register.required is true, so the process exits with code 1; ` +
          'set webhook.register.required to false to keep the app running without the registration.',
      );
      Logger.flush();
      process.exit(1);
    }
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
    const url = `${publicUrl}${mountedWebhookPath(this.appConfig, path)}`;
    // The first secret is the current one; the others are only still accepted during a rotation.
    const auth = {
      key: secretHeader,
      value: secretHeader === 'authorization' ? `Bearer ${secrets[0]}` : secrets[0],
    };
    const { changed } = await this.agent.setPostSessionWebhook(
      (current): PathorsPostSessionWebhook => ({
        url,
        // Headers the user added by hand (tracing, routing) stay; only the secret's header is ours.
        headers: [
          ...(current?.headers ?? []).filter((header) => header.key.toLowerCase() !== secretHeader),
          auth,
        ],
        events,
      }),
      { signal: this.shutdown.signal },
    );
    this.logger.log(
      `${changed ? 'Registered' : 'Already registered'} ${url} on the Pathors agent for ${events.join(', ')}`,
    );
  }
}
