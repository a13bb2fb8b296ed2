import { Reflector } from '@nestjs/core';
import { DEFAULT_PATHORS_REGISTRATION } from 'nestjs-pathors';
import { WEBHOOK_PATH } from './pathors.config.js';

/**
 * The follow-up agent, which calls and texts CRM contacts: the unnamed `PathorsModule` registration, `'default'`, whose
 * services are injected by class (`PathorsSessionService`, …).
 */
export const FOLLOW_UP_AGENT = DEFAULT_PATHORS_REGISTRATION;

/**
 * The support agent, which answers customers' chats and calls in a Pathors project of its own: the registration named
 * `'support'`, reached through `PathorsClients.get('support')`.
 */
export const SUPPORT_AGENT = 'support';

/** The name of one of the app's agents, which is the name of its `PathorsModule` registration. */
export type SampleAgent = typeof FOLLOW_UP_AGENT | typeof SUPPORT_AGENT;

/** Route of the support agent's webhook endpoint (a named registration's default, written out). */
export const SUPPORT_WEBHOOK_PATH = `pathors/webhooks/${SUPPORT_AGENT}`;

/** Each agent's webhook route, below the app's origin. */
export const WEBHOOK_PATHS: Readonly<Record<SampleAgent, string>> = {
  [FOLLOW_UP_AGENT]: WEBHOOK_PATH,
  [SUPPORT_AGENT]: SUPPORT_WEBHOOK_PATH,
};

/**
 * Marks the webhook controller of one agent's registration (`webhook.decorators: [AgentWebhook('support')]`), so the
 * inspector recognises the route and names the agent, even for a request refused before any handler ran.
 */
export const AgentWebhook = Reflector.createDecorator<SampleAgent>();
