import {
  Inject,
  Injectable,
  Logger,
  type INestApplicationContext,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { PathorsHandlerMetadata } from '../delivery/on-pathors-event.decorator.js';
import { PATHORS_HANDLER_METADATA } from '../delivery/pathors-events.constants.js';
import { PATHORS_EVENT_NAMES } from '../events/pathors-event.map.js';
import type { ResolvedPathorsOptions, ResolvedWebhookOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';

/** One `@OnPathorsEvent()` handler found at boot. */
export interface PathorsHandlerRegistration {
  /** `ClassName.methodName`. */
  readonly handlerId: string;
  /** The event names it listens to (`'*'` for catch-all). */
  readonly events: readonly string[];
}

const trimSlashes = (segment: string): string => segment.replace(/^\/+|\/+$/g, '');

/**
 * The path the webhook is mounted at, global prefix included: `/api/pathors/webhooks` for
 * `app.setGlobalPrefix('api')` and the default `webhook.path`. Prefix exclusions and versioning are not applied.
 */
export function mountedWebhookPath(globalPrefix: string, webhookPath: string): string {
  return `/${[globalPrefix, webhookPath].map(trimSlashes).filter(Boolean).join('/')}`;
}

/** Where an app's webhook is mounted and with which options; for helpers that work on a built app. */
export interface PathorsWebhookRoute {
  /** The mounted path, global prefix included. */
  readonly path: string;
  readonly options: ResolvedPathorsOptions;
}

/**
 * The webhook route of an initialised app, read from its `PathorsModule` options and global prefix.
 * Throws, naming the fix, when the app does not import `PathorsModule`.
 */
export function webhookRouteOf(app: INestApplicationContext, caller: string): PathorsWebhookRoute {
  let options: ResolvedPathorsOptions;
  try {
    options = app.get<ResolvedPathorsOptions>(PATHORS_RESOLVED_OPTIONS, { strict: false });
  } catch {
    throw new Error(
      `${caller} needs an app that imports PathorsModule.forRoot() or forRootAsync(); this one does not.`,
    );
  }
  const prefix = app.get(ApplicationConfig, { strict: false }).getGlobalPrefix();
  return { path: mountedWebhookPath(prefix, options.webhook.path), options };
}

/** A one-line description of how the webhook authenticates, without any secret. */
export function describeAuthMode(webhook: ResolvedWebhookOptions): string {
  if (!webhook.verify) return 'none (webhook.verify: false; unauthenticated requests are accepted)';
  const modes: string[] = [];
  if (webhook.secrets.length > 0) {
    const count = webhook.secrets.length;
    modes.push(`shared secret in "${webhook.secretHeader}" (${count} secret${count === 1 ? '' : 's'})`);
  }
  if (webhook.signingKeys.length > 0) {
    const count = webhook.signingKeys.length;
    modes.push(
      `Standard Webhooks signature (${count} signing secret${count === 1 ? '' : 's'}, ` +
        `${webhook.toleranceSeconds}s tolerance; needs the app created with { rawBody: true })`,
    );
  }
  return modes.join(' or ');
}

/**
 * Logs, once at bootstrap, what a developer needs to see that the webhook is wired: the mounted URL (global prefix
 * included), the authentication mode, and which handler runs for which event. Warns about handlers on event names
 * this version does not know (a typo never receives anything).
 *
 * Whether the app was created with `{ rawBody: true }` cannot be read at boot: Nest passes the flag to the HTTP
 * adapter, which keeps it inside its body-parser closure. The receiver therefore logs the exact fix at the first
 * signed request instead, and the auth-mode line says the signature mode needs it.
 */
@Injectable()
export class PathorsBootDiagnostics implements OnApplicationBootstrap {
  private readonly logger = new Logger('PathorsModule');

  constructor(
    @Inject(PATHORS_RESOLVED_OPTIONS) private readonly options: ResolvedPathorsOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly appConfig: ApplicationConfig,
  ) {}

  /** Logs the webhook URL, the auth mode and the event → handler map. */
  onApplicationBootstrap(): void {
    const handlers = this.findHandlers();
    const { webhook } = this.options;
    if (webhook.enabled) {
      this.logger.log(
        `Webhook endpoint: POST ${mountedWebhookPath(this.appConfig.getGlobalPrefix(), webhook.path)}`,
      );
      this.logger.log(`Webhook authentication: ${describeAuthMode(webhook)}`);
    } else {
      this.logger.log('Webhook endpoint: not mounted (webhook.enabled: false)');
    }
    this.logHandlerMap(handlers);
    this.warnUnknownNames(handlers);
  }

  /** Every `@OnPathorsEvent()` handler of the app's providers, in discovery order. */
  findHandlers(): PathorsHandlerRegistration[] {
    const found: PathorsHandlerRegistration[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!wrapper.isDependencyTreeStatic() || typeof instance !== 'object' || instance === null) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') continue;
        const metadata = Reflect.getMetadata(PATHORS_HANDLER_METADATA, method) as
          PathorsHandlerMetadata | undefined;
        if (metadata) found.push({ handlerId: metadata.handlerId, events: metadata.events });
      }
    }
    return found;
  }

  private logHandlerMap(handlers: readonly PathorsHandlerRegistration[]): void {
    if (handlers.length === 0) {
      this.logger.log(
        'Event handlers: none (every known event is answered 202; add @OnPathorsEvent() methods)',
      );
      return;
    }
    const byEvent = new Map<string, string[]>();
    for (const { handlerId, events } of handlers) {
      for (const event of events) byEvent.set(event, [...(byEvent.get(event) ?? []), handlerId]);
    }
    const lines = [...byEvent].map(([event, ids]) => `${event} -> ${ids.join(', ')}`);
    this.logger.log(`Event handlers: ${lines.join('; ')}`);
  }

  private warnUnknownNames(handlers: readonly PathorsHandlerRegistration[]): void {
    const known = new Set<string>([...PATHORS_EVENT_NAMES, '*']);
    for (const { handlerId, events } of handlers) {
      for (const event of events.filter((name) => !known.has(name))) {
        this.logger.warn(
          `${handlerId} listens to "${event}", which is not a known Pathors event: it only runs if Pathors sends ` +
            `that exact name. Known events: ${PATHORS_EVENT_NAMES.join(', ')}; use '*' for every event.`,
        );
      }
    }
  }
}
