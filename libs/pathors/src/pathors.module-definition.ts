import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PathorsModuleOptions } from './pathors.options.js';

/** Extra, static options of `forRoot` / `forRootAsync` that are not part of the resolved options. */
export interface PathorsModuleExtras {
  /** Register the module globally, so feature modules inject its services without importing it. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: PathorsConfigurableModule,
  MODULE_OPTIONS_TOKEN: PATHORS_MODULE_OPTIONS,
  OPTIONS_TYPE: PATHORS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PATHORS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PathorsModuleOptions>({ moduleName: 'Pathors' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPathorsOptions')
  .setExtras<PathorsModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
