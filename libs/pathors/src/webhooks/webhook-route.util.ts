import type { INestApplicationContext } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { ResolvedPathorsOptions } from '../pathors-options.resolver.js';
import {
  DEFAULT_PATHORS_REGISTRATION,
  listNames,
  registeredNames,
  registrationToken,
} from '../pathors-registration.js';

const trimSlashes = (segment: string): string => segment.replace(/^\/+|\/+$/g, '');

/**
 * The path the webhook is mounted at, global prefix included: `/api/pathors/webhooks` for
 * `app.setGlobalPrefix('api')` and the default `webhook.path`. Everything that names the mounted route goes through
 * here: the boot diagnostics log it, `webhook.register` appends it to `publicUrl`, and `deliver()` and the OpenAPI
 * helper post to and document it. Prefix exclusions and versioning are not applied.
 */
export function mountedWebhookPath(appConfig: ApplicationConfig, webhookPath: string): string {
  return `/${[appConfig.getGlobalPrefix(), webhookPath].map(trimSlashes).filter(Boolean).join('/')}`;
}

/** Where an app's webhook is mounted and with which options; for helpers that work on a built app. */
export interface PathorsWebhookRoute {
  /** The mounted path, global prefix included. */
  readonly path: string;
  readonly options: ResolvedPathorsOptions;
}

/**
 * The webhook route of an initialised app's `PathorsModule` registration (the unnamed one by default), read from its
 * options and the global prefix. Throws, naming the fix, when the app has no such registration.
 */
export function webhookRouteOf(
  app: INestApplicationContext,
  caller: string,
  registration: string = DEFAULT_PATHORS_REGISTRATION,
): PathorsWebhookRoute {
  let options: ResolvedPathorsOptions;
  try {
    options = app.get<ResolvedPathorsOptions>(registrationToken(registration, 'options'), { strict: false });
  } catch {
    const registered = listNames(registeredNames(app));
    throw new Error(
      `${caller} needs an app that imports PathorsModule.forRoot() or forRootAsync()` +
        `${registration === DEFAULT_PATHORS_REGISTRATION ? '' : ` with name "${registration}"`}; ` +
        `registered: ${registered}.`,
    );
  }
  const appConfig = app.get(ApplicationConfig, { strict: false });
  return { path: mountedWebhookPath(appConfig, options.webhook.path), options };
}
