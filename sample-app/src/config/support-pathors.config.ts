import { registerAs } from '@nestjs/config';
import type { PathorsModuleOptions } from 'nestjs-pathors';

/**
 * The `pathorsSupport` config namespace: the support agent's Pathors project, read from its own variables
 * (`PATHORS_SUPPORT_API_KEY`, `PATHORS_SUPPORT_PROJECT_ID`, `PATHORS_SUPPORT_WEBHOOK_SECRET`). Its base URL is
 * `PATHORS_SUPPORT_BASE_URL`, else the follow-up agent's `PATHORS_BASE_URL`. With `PUBLIC_URL`, its webhook is
 * registered on the support agent at boot too.
 */
export const supportPathorsConfig = registerAs('pathorsSupport', (): PathorsModuleOptions => ({
  apiKey: process.env.PATHORS_SUPPORT_API_KEY,
  projectId: process.env.PATHORS_SUPPORT_PROJECT_ID,
  baseUrl: process.env.PATHORS_SUPPORT_BASE_URL || process.env.PATHORS_BASE_URL,
  webhook: {
    secret: process.env.PATHORS_SUPPORT_WEBHOOK_SECRET,
    register: process.env.PUBLIC_URL ? { publicUrl: process.env.PUBLIC_URL } : undefined,
  },
}));
