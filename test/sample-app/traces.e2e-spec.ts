import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildCallEnded, sharedSecretHeaders } from 'nestjs-pathors/testing';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningSampleApp } from '../../sample-app/src/bootstrap.js';
import { eventually } from '../delivery/support/delivery-fixtures.js';
import { bootSampleApp } from './support/sample-app.harness.js';

/** Booting includes starting PGlite (WebAssembly), which takes a while on a busy machine. */
const BOOT_TIMEOUT_MS = 120_000;
const WEBHOOK_SECRET = 'traces-test-secret-42a9';

interface OtlpAttribute {
  readonly key: string;
  readonly value: { readonly stringValue?: string };
}

/** A span as the OTLP/HTTP JSON encoding sends it (ids in hex). */
interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: readonly OtlpAttribute[];
}

interface OtlpTraceRequest {
  readonly resourceSpans: ReadonlyArray<{
    readonly resource: { readonly attributes: readonly OtlpAttribute[] };
    readonly scopeSpans: ReadonlyArray<{ readonly spans: readonly OtlpSpan[] }>;
  }>;
}

/** A stand-in OpenTelemetry collector: keeps every span posted to `/v1/traces`, with its resource's service name. */
class TraceCollector {
  readonly spans: Array<OtlpSpan & { readonly service?: string }> = [];
  readonly contentTypes: string[] = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') {
        this.contentTypes.push(request.headers['content-type'] ?? '');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraceRequest;
        for (const { resource, scopeSpans } of body.resourceSpans) {
          const service = stringAttribute(resource.attributes, 'service.name');
          for (const { spans } of scopeSpans) this.spans.push(...spans.map((span) => ({ ...span, service })));
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const stringAttribute = (attributes: readonly OtlpAttribute[], key: string) =>
  attributes.find((attribute) => attribute.key === key)?.value.stringValue;

describe('sample app with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  const collector = new TraceCollector();
  let running: RunningSampleApp | undefined;

  beforeAll(async () => {
    const endpoint = await collector.start();
    running = await bootSampleApp({
      PATHORS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => {
    await running?.app.close();
    await collector.stop();
  });

  it("sends each delivery's spans to the collector, continuing the sender's trace into the handler", async () => {
    const traceId = randomBytes(16).toString('hex');
    const senderSpanId = randomBytes(8).toString('hex');
    const event = buildCallEnded();
    const response = await fetch(`${running!.url}/pathors/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${senderSpanId}-01`,
        ...sharedSecretHeaders(WEBHOOK_SECRET),
      },
      body: JSON.stringify(event),
    });
    expect(response.status).toBe(200);

    const inTrace = () => collector.spans.filter((span) => span.traceId === traceId);
    await eventually(
      () => inTrace().some((span) => span.name.startsWith('pathors.handler ')),
      'handler span',
    );
    const receive = inTrace().find((span) => span.name === 'pathors.webhook.receive');
    expect(receive).toMatchObject({ parentSpanId: senderSpanId, service: 'pathors-sample-app' });
    expect(stringAttribute(receive!.attributes, 'pathors.event.name')).toBe('call.ended');
    expect(stringAttribute(receive!.attributes, 'pathors.session.id')).toBe(event.sessionId);

    const handlers = inTrace().filter((span) => span.name.startsWith('pathors.handler '));
    expect(handlers.map((span) => span.name)).toContain(
      'pathors.handler ConversationOutcomesHandler.onCallEnded',
    );
    for (const handler of handlers) expect(handler.parentSpanId).toBe(receive!.spanId);
    expect(collector.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
  });
});
