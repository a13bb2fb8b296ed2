import { afterAll, beforeAll } from '@jest/globals';
import {
  Module,
  type DynamicModule,
  type INestApplication,
  type ModuleMetadata,
  type Provider,
  type Type,
} from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { PathorsModule, type PathorsModuleOptions } from 'nestjs-pathors';
import type { Server } from 'node:http';

/** The HTTP adapters every e2e suite runs on. */
export const ADAPTERS = ['express', 'fastify'] as const;
/** One of {@link ADAPTERS}. */
export type AdapterName = (typeof ADAPTERS)[number];

/** What {@link createWebhookApp} takes. */
export interface WebhookAppOptions {
  adapter: AdapterName;
  pathors?: PathorsModuleOptions;
  /** A whole PathorsModule registration, instead of `forRoot(pathors)`. */
  pathorsModule?: DynamicModule;
  providers?: Provider[];
  controllers?: Type[];
  imports?: ModuleMetadata['imports'];
  rawBody?: boolean;
  globalPrefix?: string;
  eventEmitter?: boolean;
}

/** A booted app and its HTTP server, ready for supertest. */
export interface WebhookApp {
  app: INestApplication;
  server: Server;
  get<T>(type: Type<T>): T;
}

/** Boots a real Nest app (Express or Fastify) with PathorsModule and the given fixture providers. */
export async function createWebhookApp(options: WebhookAppOptions): Promise<WebhookApp> {
  @Module({
    imports: [
      ...(options.eventEmitter === false ? [] : [EventEmitterModule.forRoot()]),
      options.pathorsModule ?? PathorsModule.forRoot(options.pathors ?? {}),
      ...(options.imports ?? []),
    ],
    providers: options.providers ?? [],
    controllers: options.controllers ?? [],
  })
  class TestAppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
  const appOptions = { rawBody: options.rawBody ?? false, logger: false as const };
  const app =
    options.adapter === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), appOptions)
      : moduleRef.createNestApplication(appOptions);
  if (options.globalPrefix) app.setGlobalPrefix(options.globalPrefix);
  await app.init();
  if (options.adapter === 'fastify')
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return { app, server: app.getHttpServer() as Server, get: (type) => app.get(type) };
}

/**
 * Boots an app with {@link createWebhookApp} before the enclosing suite's tests and closes it after them; the returned
 * function gives the booted app inside a test.
 */
export function useWebhookApp(options: WebhookAppOptions): () => WebhookApp {
  let harness: WebhookApp | undefined;
  beforeAll(async () => {
    harness = await createWebhookApp(options);
  });
  afterAll(() => harness?.app.close());
  return () => harness!;
}
