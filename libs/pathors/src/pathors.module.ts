import { Logger, Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, DiscoveryModule, ExternalContextCreator, ModuleRef } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { PathorsDeadLetterService } from './delivery/pathors-dead-letter.service.js';
import { PathorsDeliveryPipeline } from './delivery/pathors-delivery.pipeline.js';
import { PathorsEventDispatcher } from './delivery/pathors-event.dispatcher.js';
import { PathorsIdempotencyStore } from './delivery/pathors-idempotency.store.js';
import { PathorsConfigurationError } from './pathors.errors.js';
import {
  PATHORS_ASYNC_OPTIONS_TYPE,
  PATHORS_MODULE_OPTIONS,
  PATHORS_OPTIONS_TYPE,
  PathorsConfigurableModule,
} from './pathors.module-definition.js';
import { PATHORS_RESOLVED_OPTIONS } from './pathors.constants.js';
import { resolvePathorsOptions, type ResolvedPathorsOptions } from './pathors-options.resolver.js';
import type { PathorsModuleOptions } from './pathors.options.js';
import { PATHORS_API_EXPORTS, PATHORS_API_PROVIDERS } from './api/pathors-api.providers.js';
import { PathorsWebhookAuthenticator } from './webhooks/pathors-webhook.authenticator.js';
import { createWebhookController } from './webhooks/pathors-webhook.controller.js';
import { PathorsWebhookReceiver } from './webhooks/pathors-webhook.receiver.js';
import { PathorsBootDiagnostics } from './webhooks/pathors-boot-diagnostics.js';
import { PathorsHandlerExplorer } from './delivery/pathors-handler.explorer.js';

const MISSING_EVENT_EMITTER =
  'PathorsModule dispatches events through @nestjs/event-emitter, which this app does not provide. ' +
  'Add EventEmitterModule.forRoot() to the imports of your AppModule.';

/** The dispatcher, failing boot with a clear message when an app with a webhook has no EventEmitterModule. */
const eventEmitterCheck: Provider = {
  provide: PathorsEventDispatcher,
  useFactory: (
    options: ResolvedPathorsOptions,
    emitter: EventEmitter2 | undefined,
    contextCreator: ExternalContextCreator,
    config: ApplicationConfig,
    explorer: PathorsHandlerExplorer,
    moduleRef: ModuleRef,
  ) => {
    if (!emitter && options.webhook.enabled) throw new PathorsConfigurationError(MISSING_EVENT_EMITTER);
    // An app without a webhook (API only, or an inbox worker) may have no emitter: a private one keeps the
    // collaborators uniform.
    return new PathorsEventDispatcher(
      emitter ?? new EventEmitter2(),
      contextCreator,
      config,
      explorer,
      moduleRef,
    );
  },
  inject: [
    PATHORS_RESOLVED_OPTIONS,
    { token: EventEmitter2, optional: true },
    ExternalContextCreator,
    ApplicationConfig,
    PathorsHandlerExplorer,
    ModuleRef,
  ],
};

/**
 * The Pathors integration: import it once with `forRoot()` or `forRootAsync()`.
 *
 * It provides the typed API client (`PathorsSessionService`, `PathorsChatService`, `PathorsCallsService`,
 * `PathorsAgentService`) and mounts the webhook endpoint
 * (`POST /pathors/webhooks` by default) that authenticates Pathors' events, validates each into its class and hands
 * it to the `@OnPathorsEvent()` handlers of your providers. The app must also import `EventEmitterModule.forRoot()`.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     EventEmitterModule.forRoot(),
 *     PathorsModule.forRoot({ webhook: { secret: process.env.PATHORS_WEBHOOK_SECRET } }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
export class PathorsModule extends PathorsConfigurableModule {
  /** Registers the module with options known at import time. */
  static override forRoot(options: typeof PATHORS_OPTIONS_TYPE): DynamicModule {
    return withWebhook(super.forRoot(options), options.webhook?.enabled !== false);
  }

  /**
   * Registers the module with options made by a factory, a class or an existing provider, e.g. from
   * `@nestjs/config`: `PathorsModule.forRootAsync(pathorsConfig.asProvider())`.
   */
  static override forRootAsync(options: typeof PATHORS_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withWebhook(super.forRootAsync(options), true);
  }
}

function withWebhook(definition: DynamicModule, mountWebhook: boolean): DynamicModule {
  const controller: Type | undefined = mountWebhook ? createWebhookController() : undefined;
  const resolvedOptions: Provider = {
    provide: PATHORS_RESOLVED_OPTIONS,
    useFactory: (options: PathorsModuleOptions) => {
      const resolved = resolvePathorsOptions(options);
      if (resolved.webhook.enabled && !resolved.webhook.verify) {
        new Logger('PathorsModule').warn(
          'webhook.verify is false: the webhook accepts unauthenticated requests. Use it for local experiments only.',
        );
      }
      // The route path is only known once async options resolve, which is before Nest registers routes.
      if (controller) Reflect.defineMetadata(PATH_METADATA, resolved.webhook.path, controller);
      return resolved;
    },
    inject: [PATHORS_MODULE_OPTIONS],
  };
  return {
    ...definition,
    imports: [...(definition.imports ?? []), DiscoveryModule],
    controllers: controller ? [controller] : [],
    providers: [
      ...(definition.providers ?? []),
      resolvedOptions,
      PathorsHandlerExplorer,
      PathorsBootDiagnostics,
      eventEmitterCheck,
      PathorsWebhookAuthenticator,
      PathorsWebhookReceiver,
      ...PATHORS_API_PROVIDERS,
      PathorsDeliveryPipeline,
      PathorsDeadLetterService,
      {
        provide: PathorsIdempotencyStore,
        useFactory: (resolved: ResolvedPathorsOptions) => resolved.delivery.store,
        inject: [PATHORS_RESOLVED_OPTIONS],
      },
    ],
    exports: [
      ...(definition.exports ?? []),
      ...PATHORS_API_EXPORTS,
      PathorsDeadLetterService,
      PathorsIdempotencyStore,
    ],
  };
}
