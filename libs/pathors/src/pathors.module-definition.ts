import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PathorsModuleOptions } from './pathors.options.js';

/** Options of `forRoot` / `forRootAsync` about the registration itself rather than the Pathors project. */
export interface PathorsModuleExtras {
  /** Register the module globally, so feature modules inject its services without importing it. */
  isGlobal?: boolean;
  /**
   * Names the registration, for an app with several Pathors projects (one agent each): its services are reached
   * through `PathorsClients.get(name)`, its webhook is mounted at `pathors/webhooks/<name>` unless `webhook.path` says
   * otherwise, and its events reach the handlers of `@OnPathorsEvent(…, { registration: name })` and those without
   * the option. Letters, digits, `-` and `_`. Unnamed, the registration is `'default'`.
   */
  name?: string;
}

export const {
  ConfigurableModuleClass: PathorsConfigurableModule,
  MODULE_OPTIONS_TOKEN: PATHORS_MODULE_OPTIONS,
  OPTIONS_TYPE: PATHORS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PATHORS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PathorsModuleOptions>({ moduleName: 'Pathors' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPathorsOptions')
  .setExtras<PathorsModuleExtras>({ isGlobal: false, name: undefined }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
