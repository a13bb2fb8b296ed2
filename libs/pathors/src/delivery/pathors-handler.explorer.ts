import { Injectable, type InjectionToken } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { PathorsHandlerMetadata } from '../on-pathors-event.decorator.js';
import { PATHORS_HANDLER_METADATA } from './pathors-events.constants.js';

/** One `@OnPathorsEvent()` handler found at boot. */
export interface PathorsDiscoveredHandler {
  /** `ClassName.methodName`, the provider's class: names it in logs and completion records. */
  readonly handlerId: string;
  /** The name of the module that provides it. */
  readonly moduleName: string;
  /** The event names it listens to (`'*'` for catch-all). */
  readonly events: readonly string[];
  /** The registration it is limited to; `undefined` hears every registration. */
  readonly registration?: string;
  /** The provider's instance: the one the handler runs on, or for a request-scoped provider its prototype's. */
  readonly instance: object;
  readonly methodName: string;
  readonly method: (...args: unknown[]) => unknown;
  /** The provider's token, when its instances are made per event (request scope) rather than once. */
  readonly requestScopedToken?: InjectionToken;
}

/** Whether `handler` receives the events of the registration named `registration`. */
export const hears = (
  handler: Pick<PathorsDiscoveredHandler, 'registration'>,
  registration: string,
): boolean => handler.registration === undefined || handler.registration === registration;

/**
 * Finds the `@OnPathorsEvent()` handlers of the app's providers: what the dispatcher subscribes on the event
 * emitter, what the boot diagnostics log and what boot registration subscribes the agent to. Internal.
 */
@Injectable()
export class PathorsHandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /**
   * Every `@OnPathorsEvent()` handler of the app's providers, in discovery order; with `registration`, only those that
   * hear that registration.
   */
  findHandlers(registration?: string): PathorsDiscoveredHandler[] {
    const found: PathorsDiscoveredHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (wrapper.isAlias || typeof instance !== 'object' || instance === null) continue;
      const requestScopedToken = wrapper.isDependencyTreeStatic() ? undefined : wrapper.token;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[methodName];
        if (typeof method !== 'function') continue;
        const metadata = Reflect.getMetadata(PATHORS_HANDLER_METADATA, method) as
          PathorsHandlerMetadata | undefined;
        if (!metadata) continue;
        found.push({
          // The provider's own class, not the one declaring the method: two subclasses are two handlers.
          handlerId: `${instance.constructor.name}.${methodName}`,
          events: metadata.events,
          registration: metadata.registration,
          moduleName: wrapper.host?.name ?? 'unknown module',
          instance,
          methodName,
          method: method as PathorsDiscoveredHandler['method'],
          requestScopedToken,
        });
      }
    }
    return registration === undefined ? found : found.filter((handler) => hears(handler, registration));
  }
}
