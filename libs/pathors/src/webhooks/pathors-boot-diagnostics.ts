import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import {
  PathorsHandlerExplorer,
  type PathorsDiscoveredHandler,
} from '../delivery/pathors-handler.explorer.js';
import { PATHORS_EVENT_NAMES } from '../events/pathors-event.map.js';
import type { ResolvedPathorsOptions, ResolvedWebhookOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import { DEFAULT_PATHORS_REGISTRATION } from '../pathors-registration.js';
import { mountedWebhookPath } from './webhook-route.util.js';

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
  private readonly logger = new Logger(PathorsBootDiagnostics.name);

  constructor(
    @Inject(PATHORS_RESOLVED_OPTIONS) private readonly options: ResolvedPathorsOptions,
    private readonly explorer: PathorsHandlerExplorer,
    private readonly appConfig: ApplicationConfig,
  ) {}

  /** Logs the webhook URL, the auth mode and the event → handler map. */
  onApplicationBootstrap(): void {
    const { webhook, registration } = this.options;
    const handlers = this.explorer.findHandlers(registration);
    if (webhook.enabled) {
      const named = registration === DEFAULT_PATHORS_REGISTRATION ? '' : ` (registration "${registration}")`;
      this.logger.log(`Webhook endpoint: POST ${mountedWebhookPath(this.appConfig, webhook.path)}${named}`);
      this.logger.log(`Webhook authentication: ${describeAuthMode(webhook)}`);
    } else {
      this.logger.log('Webhook endpoint: not mounted (webhook.enabled: false)');
    }
    this.logHandlerMap(handlers);
    this.warnUnknownNames(handlers);
  }

  private logHandlerMap(handlers: readonly PathorsDiscoveredHandler[]): void {
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

  private warnUnknownNames(handlers: readonly PathorsDiscoveredHandler[]): void {
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
