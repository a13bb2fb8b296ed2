import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject, type SchemaObject } from '@nestjs/swagger';
import {
  PATHORS_CALL_STATUSES,
  PATHORS_SENTIMENTS,
  PATHORS_SESSION_CHANNELS,
  PathorsModule,
} from 'nestjs-pathors';
import { addPathorsWebhooksToDocument } from 'nestjs-pathors/swagger';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';

const SECRET = 'openapi-secret-0123456789';
const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const LIFECYCLE = ['session.ended', 'call.ended', 'session.finalized', 'recording.ready', 'session.started'];
const PLATFORM = [
  'session.created',
  'session.ended (platform)',
  'session.updated',
  'message.added',
  'usage.updated',
  'subscription.updated',
  'knowledge_store.updated',
];

const documentFor = (harness: WebhookApp, version?: string): OpenAPIObject => {
  const builder = new DocumentBuilder().setTitle('Test app').setVersion('1.0');
  if (version) builder.setOpenAPIVersion(version);
  return addPathorsWebhooksToDocument(
    harness.app,
    SwaggerModule.createDocument(harness.app, builder.build()),
  );
};

describe.each(ADAPTERS)('OpenAPI document of an app on %s', (adapter) => {
  let harness: WebhookApp;
  let document: OpenAPIObject;
  let schemas: Record<string, SchemaObject>;

  beforeAll(async () => {
    harness = await createWebhookApp({
      adapter,
      globalPrefix: 'api',
      pathors: { webhook: { secret: SECRET, signingSecret: SIGNING_SECRET } },
    });
    document = documentFor(harness, '3.1.0');
    schemas = document.components!.schemas as Record<string, SchemaObject>;
  });
  afterAll(() => harness.app.close());

  it('documents the mounted endpoint with every event as its body, its auth headers and every status', () => {
    const post = document.paths['/api/pathors/webhooks'].post!;
    const body = (post.requestBody as { content: Record<string, { schema: SchemaObject }> }).content[
      'application/json'
    ];
    const refs = (body.schema.oneOf as Array<{ $ref: string }>).map((ref) => ref.$ref.split('/').pop());
    expect(refs).toHaveLength(12);
    expect(refs).toEqual(
      expect.arrayContaining(['CallEndedEvent', 'SessionFinalizedEvent', 'PlatformSessionEndedEvent']),
    );
    expect(Object.keys(post.responses).sort()).toEqual([
      '200',
      '202',
      '400',
      '401',
      '409',
      '413',
      '415',
      '500',
      '503',
    ]);
    // The answers a sender must repeat say when.
    for (const status of ['409', '503']) {
      expect(post.responses[status]).toMatchObject({
        headers: { 'Retry-After': { schema: { type: 'integer' } } },
      });
    }
    const headers = (post.parameters as Array<{ name: string; in: string }>).map((p) => `${p.in}:${p.name}`);
    expect(headers).toEqual([
      'header:authorization',
      'header:webhook-id',
      'header:webhook-timestamp',
      'header:webhook-signature',
    ]);
    expect(JSON.stringify(document)).not.toContain(SECRET);
    expect(JSON.stringify(document)).not.toContain(SIGNING_SECRET.slice(6));
  });

  it('lists every event of both dialects in the OpenAPI 3.1 webhooks section', () => {
    expect(Object.keys(document.webhooks ?? {}).sort()).toEqual([...LIFECYCLE, ...PLATFORM].sort());
    const callEnded = document.webhooks!['call.ended'].post!;
    expect(
      (callEnded.requestBody as { content: Record<string, { schema: unknown }> }).content['application/json']
        .schema,
    ).toEqual({
      $ref: '#/components/schemas/CallEndedEvent',
    });
    expect(document).not.toHaveProperty('x-webhooks');
  });

  it('generates call.ended from its class: required fields, the open callStatus, bounds and date-times', () => {
    const schema = schemas.CallEndedEvent;
    expect([...schema.required!].sort()).toEqual([
      'callDuration',
      'callStatus',
      'event',
      'projectId',
      'sessionId',
      'timestamp',
    ]);
    expect(schema.properties).toMatchObject({
      event: { type: 'string', enum: ['call.ended'] },
      sessionId: { type: 'string', minLength: 1 },
      timestamp: { type: 'string', format: 'date-time' },
      callStatus: { type: 'string', examples: [...PATHORS_CALL_STATUSES] },
      callDuration: { type: 'number', minimum: 0 },
    });
    // A vendor enum is open: known values as examples and in the description, never a closed enum.
    expect(schema.properties!.callStatus).not.toHaveProperty('enum');
    expect((schema.properties!.callStatus as SchemaObject).description).toMatch(
      /^Known values: `userHangup`, .*`transferFailed`.*\. Pathors may add others; any string is accepted\.$/,
    );
    expect(schema.additionalProperties).toBe(true);
  });

  it('keeps session.finalized call fields optional (absent for text sessions) and integers as integers', () => {
    const schema = schemas.SessionFinalizedEvent;
    expect(schema.required).toEqual(
      expect.arrayContaining(['projectId', 'currentNodeId', 'messagesCount', 'extractedVariables']),
    );
    expect(schema.required).not.toContain('callStatus');
    expect(schema.required).not.toContain('callDuration');
    expect(schema.properties!.messagesCount).toEqual({ type: 'integer', minimum: 0 });
    expect(schema.properties!.extractedVariables).toEqual({ type: 'object', additionalProperties: true });
  });

  it('references the nested platform analysis blocks by schema, down to their enums and bounds', () => {
    const ended = schemas.PlatformSessionEndedEvent;
    expect(ended.properties!.analysis).toEqual({ $ref: '#/components/schemas/PathorsSessionAnalysis' });
    expect(ended.properties!.metadata).toEqual({ $ref: '#/components/schemas/PathorsSessionMetadata' });
    expect(ended.properties!.type).toEqual({
      type: 'string',
      examples: [...PATHORS_SESSION_CHANNELS],
      description: 'Known values: `VOICE`, `CHAT`. Pathors may add others; any string is accepted.',
    });
    expect(ended.properties!.id).toMatchObject({ type: 'string', format: 'uuid' });
    expect(ended.required).not.toContain('analysis');

    expect(schemas.PathorsSessionAnalysis.required).toBeUndefined();
    expect(schemas.PathorsSessionAnalysis.properties!.sentiment).toEqual({
      $ref: '#/components/schemas/PathorsSentimentAnalysis',
    });
    expect(schemas.PathorsSentimentAnalysis.properties!.conversation).toEqual({
      $ref: '#/components/schemas/PathorsConversationSentiment',
    });
    const sentiment = schemas.PathorsConversationSentiment;
    expect(sentiment.required).toEqual(['sentiment', 'score']);
    expect(sentiment.properties!.sentiment).toMatchObject({
      type: 'string',
      examples: [...PATHORS_SENTIMENTS],
    });
    expect(sentiment.properties!.sentiment).not.toHaveProperty('enum');
    expect(sentiment.properties!.score).toEqual({ type: 'number', minimum: -1, maximum: 1 });
    expect(schemas.PathorsResolutionAnalysis.properties!.satisfiedChecklistItems).toEqual({
      type: 'array',
      items: { type: 'string' },
    });
    expect(schemas.UsageUpdatedEvent.properties!.period).toEqual({
      $ref: '#/components/schemas/PathorsUsagePeriod',
    });
  });
});

describe('OpenAPI 3.0 documents and apps without PathorsModule', () => {
  it('puts the events in x-webhooks when the document is OpenAPI 3.0 (the DocumentBuilder default)', async () => {
    const harness = await createWebhookApp({ adapter: 'express', pathors: { webhook: { secret: SECRET } } });
    try {
      const document = documentFor(harness);
      expect(document.openapi).toBe('3.0.0');
      expect(document.webhooks).toBeUndefined();
      expect(Object.keys((document as unknown as Record<string, object>)['x-webhooks'])).toHaveLength(12);
      const post = document.paths['/pathors/webhooks'].post!;
      expect(
        (post.parameters as Array<{ name: string; required: boolean }>).map((p) => [p.name, p.required]),
      ).toEqual([['authorization', true]]);
    } finally {
      await harness.app.close();
    }
  });

  it('does not document an endpoint that is not mounted, and names the fix without PathorsModule', async () => {
    const harness = await createWebhookApp({ adapter: 'express', pathors: { webhook: { enabled: false } } });
    try {
      const document = documentFor(harness, '3.1.0');
      expect(document.paths['/pathors/webhooks']).toBeUndefined();
      expect(Object.keys(document.webhooks!)).toHaveLength(12);
    } finally {
      await harness.app.close();
    }
    const bare = await createWebhookApp({
      adapter: 'express',
      pathorsModule: { module: class EmptyModule {} },
    });
    try {
      expect(() => documentFor(bare)).toThrow('needs an app that imports PathorsModule');
    } finally {
      await bare.app.close();
    }
  });

  it('documents a named registration at its own path, one call per registration', async () => {
    const harness = await createWebhookApp({
      adapter: 'express',
      pathorsModule: PathorsModule.forRoot({ name: 'sales', webhook: { secret: SECRET } }),
    });
    try {
      const created = SwaggerModule.createDocument(harness.app, new DocumentBuilder().build());
      const document = addPathorsWebhooksToDocument(harness.app, created, { registration: 'sales' });
      expect(document.paths['/pathors/webhooks/sales'].post!.operationId).toBe(
        'PathorsWebhook_receive_sales',
      );
      expect(document.paths['/pathors/webhooks']).toBeUndefined();
      // The default registration is what a call without `registration` documents: this app has none.
      expect(() => addPathorsWebhooksToDocument(harness.app, created)).toThrow('registered: "sales"');
    } finally {
      await harness.app.close();
    }
  });
});
