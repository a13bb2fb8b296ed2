import { registerAs } from '@nestjs/config';
import type { PathorsModuleOptions } from 'nestjs-pathors';

/** Route of the webhook endpoint: the agent's `postSessionWebhook.url` is this app's origin followed by it. */
export const WEBHOOK_PATH = 'pathors/webhooks';

/**
 * The `pathors` config namespace, read from the environment. `PathorsModule.forRootAsync(pathorsConfig.asProvider())`
 * takes it as is. With neither `PATHORS_API_KEY` nor `PATHORS_PROJECT_ID` set, `main.ts` starts the embedded
 * simulator first and fills these variables for it (see `embedded/embedded-pathors.ts`).
 */
export const pathorsConfig = registerAs('pathors', (): PathorsModuleOptions => ({
  apiKey: process.env.PATHORS_API_KEY,
  projectId: process.env.PATHORS_PROJECT_ID,
  baseUrl: process.env.PATHORS_BASE_URL,
  webhook: {
    path: 'pathors/webhooks',
    secret: process.env.PATHORS_WEBHOOK_SECRET,
  },
}));
