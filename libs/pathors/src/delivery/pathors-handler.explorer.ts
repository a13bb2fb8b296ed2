import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { PathorsHandlerMetadata } from './on-pathors-event.decorator.js';
import { PATHORS_HANDLER_METADATA } from './pathors-events.constants.js';

/** One `@OnPathorsEvent()` handler found at boot. */
export interface PathorsHandlerRegistration {
  /** `ClassName.methodName`. */
  readonly handlerId: string;
  /** The event names it listens to (`'*'` for catch-all). */
  readonly events: readonly string[];
}

/**
 * Reads the `@OnPathorsEvent()` metadata of the app's providers (dispatch itself goes through the event emitter's
 * own explorer): what the boot diagnostics log and what boot registration subscribes the agent to. Internal.
 */
@Injectable()
export class PathorsHandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

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
}
