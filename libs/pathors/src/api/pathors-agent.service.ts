import { Injectable } from '@nestjs/common';
import { PathorsApiClient } from './pathors-api.client.js';
import { PathorsInvalidArgumentError } from './pathors-api.errors.js';
import type {
  PathorsAgentConfig,
  PathorsPostSessionWebhook,
  PathorsWebhookHeader,
  PathorsWebhookUpdate,
} from './pathors-agent.types.js';
import { requireText } from './pathors-input.validation.js';
import { isObject } from './pathors-json.util.js';
import type { PathorsRequestOptions } from './pathors-request.options.js';

/** Pathors' value for `events` when the field is absent. */
const DEFAULT_EVENTS = ['session.ended'];

/**
 * Reads and writes the project agent's configuration, above all its `postSessionWebhook`.
 *
 * @example
 * ```ts
 * await agent.setPostSessionWebhook({
 *   url: 'https://app.example.com/pathors/webhooks',
 *   headers: [{ key: 'Authorization', value: `Bearer ${secret}` }],
 *   events: ['session.finalized'],
 * });
 * ```
 */
@Injectable()
export class PathorsAgentService {
  constructor(private readonly client: PathorsApiClient) {}

  /** The agent's whole configuration. */
  async getAgent(options?: PathorsRequestOptions): Promise<PathorsAgentConfig> {
    return (await this.client.jsonObject({ operation: 'getAgent', options })).body;
  }

  /**
   * Replaces the agent's configuration (`PUT`): pass a whole configuration read with {@link getAgent}, changed,
   * or the fields you leave out are reset.
   */
  async updateAgent(
    config: PathorsAgentConfig,
    options?: PathorsRequestOptions,
  ): Promise<PathorsAgentConfig> {
    if (!isObject(config))
      throw new PathorsInvalidArgumentError('config', 'must be the agent configuration object');
    if (config.postSessionWebhook) validateWebhook(config.postSessionWebhook);
    const response = await this.client.jsonObject({ operation: 'updateAgent', body: config, options });
    return Object.keys(response.body).length > 0 ? response.body : config;
  }

  /** The agent's webhook, or `null` when none is set. */
  async getPostSessionWebhook(options?: PathorsRequestOptions): Promise<PathorsPostSessionWebhook | null> {
    return (await this.getAgent(options)).postSessionWebhook ?? null;
  }

  /**
   * Sets (or, with `null`, removes) the agent's webhook by read-modify-write: every other agent setting is written
   * back as read. Writes nothing when the agent already holds an equivalent webhook (same URL, same headers, same
   * events in any order). Pass a function to derive the new webhook from the current one (e.g. to keep its other
   * headers).
   */
  async setPostSessionWebhook(
    webhook:
      | PathorsPostSessionWebhook
      | null
      | ((current: PathorsPostSessionWebhook | null) => PathorsPostSessionWebhook | null),
    options?: PathorsRequestOptions,
  ): Promise<PathorsWebhookUpdate> {
    if (typeof webhook !== 'function' && webhook !== null) validateWebhook(webhook);
    const agent = await this.getAgent(options);
    const current = agent.postSessionWebhook ?? null;
    const next = typeof webhook === 'function' ? webhook(current) : webhook;
    if (next !== null) validateWebhook(next);
    if (sameWebhook(current, next)) return { changed: false, webhook: current };
    await this.updateAgent({ ...agent, postSessionWebhook: next }, options);
    return { changed: true, webhook: next };
  }
}

function validateWebhook(webhook: PathorsPostSessionWebhook): void {
  if (!isObject(webhook))
    throw new PathorsInvalidArgumentError('postSessionWebhook', 'must be an object or null');
  const url = requireText(webhook.url, 'postSessionWebhook.url');
  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    throw new PathorsInvalidArgumentError('postSessionWebhook.url', 'must be an absolute http(s) URL');
  }
  if (webhook.headers !== undefined) {
    if (!Array.isArray(webhook.headers)) {
      throw new PathorsInvalidArgumentError(
        'postSessionWebhook.headers',
        'must be an array of { key, value }',
      );
    }
    webhook.headers.forEach((header: unknown, index) => {
      const field = `postSessionWebhook.headers[${index}]`;
      if (!isObject(header)) throw new PathorsInvalidArgumentError(field, 'must be { key, value }');
      requireText(header.key, `${field}.key`);
      if (typeof header.value !== 'string')
        throw new PathorsInvalidArgumentError(`${field}.value`, 'must be a string');
    });
  }
  if (webhook.events !== undefined) {
    if (!Array.isArray(webhook.events)) {
      throw new PathorsInvalidArgumentError('postSessionWebhook.events', 'must be an array of event names');
    }
    webhook.events.forEach((event: unknown, index) =>
      requireText(event, `postSessionWebhook.events[${index}]`),
    );
  }
}

/** Equal URL, the same headers (names case-insensitive) and the same events, in any order. */
function sameWebhook(a: PathorsPostSessionWebhook | null, b: PathorsPostSessionWebhook | null): boolean {
  if (a === null || b === null) return a === b;
  const headers = (list: readonly PathorsWebhookHeader[] | undefined): string[] =>
    (list ?? []).map((header) => `${header.key.toLowerCase()}\n${header.value}`).sort();
  const events = (list: readonly string[] | undefined): string[] =>
    [...new Set(list ?? DEFAULT_EVENTS)].sort();
  return (
    a.url === b.url &&
    JSON.stringify(headers(a.headers)) === JSON.stringify(headers(b.headers)) &&
    JSON.stringify(events(a.events)) === JSON.stringify(events(b.events))
  );
}
