import { registerAs } from '@nestjs/config';
import type { PathorsModuleOptions } from 'nestjs-pathors';

/**
 * Route of the follow-up agent's webhook endpoint: its `postSessionWebhook.url` is this app's origin followed by it.
 * Given beside the factory (`forRootAsync({ webhook: { path } })`): routes are mounted before the options resolve.
 */
export const WEBHOOK_PATH = 'pathors/webhooks';

/**
 * The `pathors` config namespace of the follow-up agent, read from the environment: `PathorsModule.forRootAsync()`
 * takes it as is. `PUBLIC_URL` (e.g. an ngrok tunnel) registers this app's webhook on the Pathors agent at boot.
 */
export const pathorsConfig = registerAs('pathors', (): PathorsModuleOptions => ({
  apiKey: process.env.PATHORS_API_KEY,
  projectId: process.env.PATHORS_PROJECT_ID,
  baseUrl: process.env.PATHORS_BASE_URL,
  webhook: {
    secret: process.env.PATHORS_WEBHOOK_SECRET,
    register: process.env.PUBLIC_URL ? { publicUrl: process.env.PUBLIC_URL } : undefined,
  },
}));
