import type { INestApplicationContext } from '@nestjs/common';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  ResponsesObject,
  SchemaObject,
} from '@nestjs/swagger';
import { PATHORS_EVENT_CLASSES, type PathorsDialect } from '../events/pathors-event.map.js';
import type { ResolvedWebhookOptions } from '../pathors-options.resolver.js';
import { DEFAULT_PATHORS_REGISTRATION } from '../pathors-registration.js';
import { webhookRouteOf } from '../webhooks/webhook-route.util.js';
import { PathorsEventSchemaFactory, schemaRef } from './pathors-event-schema.factory.js';

/** Options of {@link addPathorsWebhooksToDocument}. */
export interface PathorsOpenApiOptions {
  /**
   * Tag of the webhook endpoint and of every webhook entry.
   * @default 'Pathors webhooks'
   */
  readonly tag?: string;
  /**
   * The `PathorsModule` registration whose endpoint to document (`forRoot({ name })`); call once per registration.
   * Its operation id ends with the name: `PathorsWebhook_receive_sales`.
   * @default 'default'
   */
  readonly registration?: string;
}

/** One documented event: its name, dialect and the key it gets in the document's `webhooks` section. */
export interface PathorsDocumentedEvent {
  /** The event name as sent. */
  readonly name: string;
  /** The dialect that sends it. */
  readonly dialect: PathorsDialect;
  /** The event name, with ` (platform)` appended when the lifecycle dialect has an event of the same name. */
  readonly webhookKey: string;
  /** Name of its schema in `components.schemas` (the event class name). */
  readonly schemaName: string;
}

const DIALECT_NOTE: Record<PathorsDialect, string> = {
  lifecycle: 'Lifecycle dialect (discriminator `event`), posted to the agent’s postSessionWebhook.',
  platform: 'Platform dialect (discriminator `eventType`), signed with Standard Webhooks headers.',
};

/** Every event the webhook accepts, in both dialects, with the names it is documented under. */
export function pathorsDocumentedEvents(): PathorsDocumentedEvent[] {
  const lifecycleNames = new Set(PATHORS_EVENT_CLASSES.lifecycle.keys());
  return (Object.keys(PATHORS_EVENT_CLASSES) as PathorsDialect[]).flatMap((dialect) =>
    [...PATHORS_EVENT_CLASSES[dialect]].map(([name, type]) => ({
      name,
      dialect,
      webhookKey: dialect === 'platform' && lifecycleNames.has(name) ? `${name} (platform)` : name,
      schemaName: type.name,
    })),
  );
}

/**
 * JSON Schemas of every Pathors event and of the blocks they nest (`analysis`, `metadata`, …), keyed by class name,
 * generated from the same class-validator metadata the webhook validates with.
 */
export function pathorsEventSchemas(): Record<string, SchemaObject> {
  const factory = new PathorsEventSchemaFactory();
  for (const dialect of Object.keys(PATHORS_EVENT_CLASSES) as PathorsDialect[]) {
    for (const [name, type] of PATHORS_EVENT_CLASSES[dialect])
      factory.add(type, `\`${name}\`. ${DIALECT_NOTE[dialect]}`);
  }
  return { ...factory.all };
}

const acknowledgement: SchemaObject = {
  type: 'object',
  required: ['received'],
  properties: { received: { type: 'boolean', enum: [true] }, note: { type: 'string' } },
};

const refusal = (description: string, withIssues = false): ResponseObject => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          statusCode: { type: 'integer' },
          message: { type: 'string' },
          error: { type: 'string' },
          ...(withIssues
            ? {
                issues: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { path: { type: 'string' }, reason: { type: 'string' } },
                  },
                },
              }
            : {}),
        },
      },
    },
  },
});

/** A refusal the sender should repeat after `Retry-After` seconds. */
const retryLater = (description: string): ResponseObject => ({
  ...refusal(description),
  headers: {
    'Retry-After': {
      description: 'Seconds to wait before sending the event again.',
      schema: { type: 'integer' },
    },
  },
});

const RESPONSES: ResponsesObject = {
  200: {
    description:
      'Every handler of the event succeeded (now or on an earlier delivery: `duplicate: already processed`), or one ' +
      'failed permanently and the event is done.',
    content: { 'application/json': { schema: acknowledgement } },
  },
  202: {
    description:
      'Accepted, `note` says how: an unknown event name or no handler for it, the handlers outlasting the answer ' +
      'budget (`processing continues in the background`), or persisted in the durable inbox (`queued`).',
    content: { 'application/json': { schema: acknowledgement } },
  },
  400: refusal('The body is not a valid Pathors event; `issues` lists every invalid field.', true),
  401: refusal('Missing or invalid webhook credentials.'),
  409: retryLater('The same event is being processed right now; send it again later.'),
  413: refusal('Body larger than webhook.maxBodyBytes.'),
  415: refusal('Content-Type is not application/json.'),
  500: refusal('A handler failed; Pathors should deliver the event again.'),
  503: retryLater(
    'The idempotency store or the inbox could not record the event, or the app is shutting down; send it again.',
  ),
};

/** Header parameters of the configured authentication; none of their values appear in the document. */
function authParameters(webhook: ResolvedWebhookOptions): ParameterObject[] {
  if (!webhook.verify) return [];
  const either = webhook.secrets.length > 0 && webhook.signingKeys.length > 0;
  const parameters: ParameterObject[] = [];
  if (webhook.secrets.length > 0) {
    parameters.push({
      name: webhook.secretHeader,
      in: 'header',
      required: !either,
      description:
        webhook.secretHeader === 'authorization'
          ? '`Bearer <webhook secret>`, as configured in the agent’s postSessionWebhook.headers.'
          : 'The webhook secret, as configured in the agent’s postSessionWebhook.headers.',
      schema: { type: 'string' },
    });
  }
  if (webhook.signingKeys.length > 0) {
    const signature: Array<[string, string]> = [
      ['webhook-id', 'Message id (or `svix-id`).'],
      ['webhook-timestamp', 'Unix seconds (or `svix-timestamp`).'],
      ['webhook-signature', '`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (or `svix-signature`).'],
    ];
    for (const [name, description] of signature) {
      parameters.push({ name, in: 'header', required: !either, description, schema: { type: 'string' } });
    }
  }
  return parameters;
}

/**
 * Documents the Pathors webhook in an OpenAPI document made by `SwaggerModule.createDocument()`: the schema of every
 * event of both dialects in `components.schemas` (generated from the event classes' validation metadata, nested
 * blocks included), the mounted endpoint (global prefix included) with its request body, authentication headers and
 * every status it answers, and one entry per event in the OpenAPI 3.1 `webhooks` section; for a 3.0 document
 * (the `DocumentBuilder` default) the same entries go to `x-webhooks`, which 3.0 tools such as Redoc read.
 * Call it after `app.init()` or `createDocument()`; it changes and returns `document`.
 *
 * @example
 * ```ts
 * const config = new DocumentBuilder().setTitle('Orders').setOpenAPIVersion('3.1.0').build();
 * const document = addPathorsWebhooksToDocument(app, SwaggerModule.createDocument(app, config));
 * SwaggerModule.setup('docs', app, document);
 * ```
 */
export function addPathorsWebhooksToDocument(
  app: INestApplicationContext,
  document: OpenAPIObject,
  options: PathorsOpenApiOptions = {},
): OpenAPIObject {
  const tag = options.tag ?? 'Pathors webhooks';
  const { path, options: resolved } = webhookRouteOf(
    app,
    'addPathorsWebhooksToDocument()',
    options.registration,
  );
  const events = pathorsDocumentedEvents();

  document.components = document.components ?? {};
  document.components.schemas = { ...document.components.schemas, ...pathorsEventSchemas() };
  if (!(document.tags ?? []).some((existing) => existing.name === tag)) {
    document.tags = [
      ...(document.tags ?? []),
      { name: tag, description: 'Events Pathors posts to this app.' },
    ];
  }

  const operation = (
    summary: string,
    schema: SchemaObject | ReferenceObject,
    operationId?: string,
  ): OperationObject => ({
    tags: [tag],
    summary,
    ...(operationId ? { operationId } : {}),
    parameters: authParameters(resolved.webhook),
    requestBody: { required: true, content: { 'application/json': { schema } } },
    responses: RESPONSES,
  });

  if (resolved.webhook.enabled) {
    const anyEvent: SchemaObject = {
      oneOf: [...new Set(events.map((event) => event.schemaName))].map(schemaRef),
    };
    document.paths[path] = {
      ...document.paths[path],
      post: operation(
        'Receive a Pathors webhook event (both dialects)',
        anyEvent,
        resolved.registration === DEFAULT_PATHORS_REGISTRATION
          ? 'PathorsWebhook_receive'
          : `PathorsWebhook_receive_${resolved.registration}`,
      ),
    };
  }

  const webhooks = Object.fromEntries(
    events.map((event) => [
      event.webhookKey,
      { post: operation(`\`${event.name}\` (${event.dialect} dialect)`, schemaRef(event.schemaName)) },
    ]),
  );
  const [major, minor] = document.openapi.split('.').map(Number);
  if (major > 3 || (major === 3 && minor >= 1)) {
    document.webhooks = { ...document.webhooks, ...webhooks };
  } else {
    const extended = document as OpenAPIObject & { 'x-webhooks'?: Record<string, unknown> };
    extended['x-webhooks'] = { ...extended['x-webhooks'], ...webhooks };
  }
  return document;
}
