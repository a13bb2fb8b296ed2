import {
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type Provider,
  type Type,
} from '@nestjs/common';
import { DiscoveryModule, ExternalContextCreator, ModuleRef } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { PATHORS_API_PROVIDERS } from './api/pathors-api.providers.js';
import { PathorsAgentService } from './api/pathors-agent.service.js';
import { PathorsApiClient } from './api/pathors-api.client.js';
import { PathorsCallsService } from './api/pathors-calls.service.js';
import { PathorsChatService } from './api/pathors-chat.service.js';
import { PathorsClients } from './api/pathors-clients.js';
import { PathorsHttpTransport } from './api/pathors-http.transport.js';
import { PathorsSessionService } from './api/pathors-session.service.js';
import { PathorsDeadLetterService } from './delivery/pathors-dead-letter.service.js';
import { PathorsDeliveryPipeline } from './delivery/pathors-delivery.pipeline.js';
import { PathorsEventDispatcher } from './delivery/pathors-event.dispatcher.js';
import { PathorsHandlerExplorer } from './delivery/pathors-handler.explorer.js';
import { PathorsIdempotencyStore } from './delivery/pathors-idempotency.store.js';
import { PathorsInbox } from './delivery/pathors-inbox.js';
import {
  resolvePathorsOptions,
  resolveWebhookRoute,
  type PathorsWebhookRoute,
  type ResolvedPathorsOptions,
} from './pathors-options.resolver.js';
import {
  DEFAULT_PATHORS_REGISTRATION,
  PATHORS_REGISTRATION_NAME,
  registrationToken,
  type PathorsRegistrationRole,
} from './pathors-registration.js';
import { PATHORS_RESOLVED_OPTIONS } from './pathors.constants.js';
import { PathorsConfigurationError } from './pathors.errors.js';
import { PATHORS_TELEMETRY_PROVIDER } from './telemetry/pathors-telemetry.provider.js';
import { PathorsTelemetry } from './telemetry/pathors-telemetry.js';
import {
  PATHORS_ASYNC_OPTIONS_TYPE,
  PATHORS_MODULE_OPTIONS,
  PATHORS_OPTIONS_TYPE,
  PathorsConfigurableModule,
} from './pathors.module-definition.js';
import type { PathorsModuleOptions, PathorsWebhookRouteOptions } from './pathors.options.js';
import { PathorsBootDiagnostics } from './webhooks/pathors-boot-diagnostics.js';
import { PathorsWebhookRegistrar } from './webhooks/pathors-webhook.registrar.js';
import { PathorsWebhookAuthenticator } from './webhooks/pathors-webhook.authenticator.js';
import { createWebhookController } from './webhooks/pathors-webhook.controller.js';
import { PathorsWebhookReceiver } from './webhooks/pathors-webhook.receiver.js';

/** What `forRoot()` takes: the module options, plus `isGlobal` and `name`. */
export type PathorsModuleForRootOptions = typeof PATHORS_OPTIONS_TYPE;

/**
 * What `forRootAsync()` takes: a factory, class or existing provider of the options, `isGlobal`, `name`, and the
 * webhook's route (`enabled`, `path`, `decorators`), which must be known before the options resolve.
 */
export type PathorsModuleAsyncOptions = typeof PATHORS_ASYNC_OPTIONS_TYPE & {
  readonly webhook?: PathorsWebhookRouteOptions;
};

const MISSING_EVENT_EMITTER =
  'PathorsModule dispatches events through @nestjs/event-emitter, which this app does not provide. ' +
  'Add EventEmitterModule.forRoot() to the imports of your AppModule.';

/** The dispatcher, failing boot with a clear message when an app with a webhook has no EventEmitterModule. */
const dispatcherProvider: Provider = {
  provide: PathorsEventDispatcher,
  useFactory: (
    options: ResolvedPathorsOptions,
    emitter: EventEmitter2 | undefined,
    contextCreator: ExternalContextCreator,
    explorer: PathorsHandlerExplorer,
    moduleRef: ModuleRef,
    telemetry: PathorsTelemetry,
  ) => {
    if (!emitter && options.webhook.enabled) throw new PathorsConfigurationError(MISSING_EVENT_EMITTER);
    // An app without a webhook (API only, or an inbox worker) may have no emitter: a private one keeps the
    // collaborators uniform.
    return new PathorsEventDispatcher(
      options.registration,
      emitter ?? new EventEmitter2(),
      contextCreator,
      explorer,
      moduleRef,
      telemetry,
    );
  },
  inject: [
    PATHORS_RESOLVED_OPTIONS,
    { token: EventEmitter2, optional: true },
    ExternalContextCreator,
    PathorsHandlerExplorer,
    ModuleRef,
    PathorsTelemetry,
  ],
};

/** The providers every registration exposes app-wide under tokens of its own name (see `PathorsClients`). */
const NAMED_PROVIDERS: ReadonlyArray<readonly [PathorsRegistrationRole, InjectionToken]> = [
  ['options', PATHORS_RESOLVED_OPTIONS],
  ['api-client', PathorsApiClient],
  ['sessions', PathorsSessionService],
  ['chat', PathorsChatService],
  ['calls', PathorsCallsService],
  ['agent', PathorsAgentService],
  ['store', PathorsIdempotencyStore],
  ['inbox', PathorsInbox],
  ['dead-letters', PathorsDeadLetterService],
];

/** What the unnamed registration exports for injection by class. */
const DEFAULT_EXPORTS = [
  PathorsSessionService,
  PathorsChatService,
  PathorsCallsService,
  PathorsAgentService,
  PathorsHttpTransport,
  PathorsDeadLetterService,
  PathorsIdempotencyStore,
  PathorsInbox,
];

/**
 * The Pathors integration: import it once with `forRoot()` or `forRootAsync()`, or once per Pathors project with a
 * `name` each.
 *
 * It provides the typed API client (`PathorsSessionService`, `PathorsChatService`, `PathorsCallsService`,
 * `PathorsAgentService`, and `PathorsClients` for named registrations and tenants) and mounts the webhook endpoint
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
  static override forRoot(options: PathorsModuleForRootOptions): DynamicModule {
    return withRegistration(super.forRoot(options), resolveWebhookRoute(options.name, options.webhook));
  }

  /**
   * Registers the module with options made by a factory, a class or an existing provider, e.g. from
   * `@nestjs/config`: `PathorsModule.forRootAsync(pathorsConfig.asProvider())`. The webhook's route is given beside
   * the factory: `forRootAsync({ webhook: { path: 'hooks/pathors' }, useFactory })`.
   */
  static override forRootAsync(options: PathorsModuleAsyncOptions): DynamicModule {
    return withRegistration(super.forRootAsync(options), resolveWebhookRoute(options.name, options.webhook));
  }
}

function withRegistration(definition: DynamicModule, route: PathorsWebhookRoute): DynamicModule {
  const { registration } = route;
  const isDefault = registration === DEFAULT_PATHORS_REGISTRATION;
  const controllers: Type[] = route.enabled ? [createWebhookController(route.path, route.decorators)] : [];
  const resolvedOptions: Provider = {
    provide: PATHORS_RESOLVED_OPTIONS,
    useFactory: (options: PathorsModuleOptions) => {
      const resolved = resolvePathorsOptions(options, route);
      if (resolved.webhook.enabled && !resolved.webhook.verify) {
        new Logger(PathorsModule.name).warn(
          'webhook.verify is false: the webhook accepts unauthenticated requests. Use it for local experiments only.',
        );
      }
      return resolved;
    },
    inject: [PATHORS_MODULE_OPTIONS],
  };
  const named: Provider[] = NAMED_PROVIDERS.map(([role, token]) => ({
    provide: registrationToken(registration, role),
    useExisting: token,
  }));
  return {
    ...definition,
    imports: [...(definition.imports ?? []), DiscoveryModule],
    controllers,
    providers: [
      ...(definition.providers ?? []),
      { provide: PATHORS_REGISTRATION_NAME, useValue: registration },
      resolvedOptions,
      PathorsHandlerExplorer,
      PathorsBootDiagnostics,
      PathorsWebhookRegistrar,
      PATHORS_TELEMETRY_PROVIDER,
      dispatcherProvider,
      PathorsWebhookAuthenticator,
      PathorsWebhookReceiver,
      ...PATHORS_API_PROVIDERS,
      PathorsClients,
      PathorsDeliveryPipeline,
      PathorsDeadLetterService,
      {
        provide: PathorsIdempotencyStore,
        useFactory: (resolved: ResolvedPathorsOptions) => resolved.delivery.store,
        inject: [PATHORS_RESOLVED_OPTIONS],
      },
      {
        // null without an inbox: an optional dependency of the health indicator.
        provide: PathorsInbox,
        useFactory: (resolved: ResolvedPathorsOptions) => resolved.delivery.inbox ?? null,
        inject: [PATHORS_RESOLVED_OPTIONS],
      },
      ...named,
    ],
    // A named registration exports no class token, so two registrations never shadow each other's services:
    // reach them through PathorsClients.get(name).
    exports: [...(definition.exports ?? []), PathorsClients, ...(isDefault ? DEFAULT_EXPORTS : [])],
  };
}
