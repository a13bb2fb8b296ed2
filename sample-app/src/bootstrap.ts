import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { PathorsClients } from 'nestjs-pathors';
import { addPathorsWebhooksToDocument } from 'nestjs-pathors/swagger';
import { AppModule } from './app.module.js';
import { FOLLOW_UP_AGENT, SUPPORT_AGENT, WEBHOOK_PATHS, type SampleAgent } from './config/agents.js';
import { sampleConfig } from './config/sample.config.js';
import { DeadLettersModule } from './dead-letters/dead-letters.module.js';
import { EmbeddedPathors } from './embedded/embedded-pathors.js';
import { EmbeddedPathorsModule } from './embedded/embedded-pathors.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { SampleTelemetry } from './metrics/sample-telemetry.js';
import { SupportModule } from './support/support.module.js';
import { SampleTracing } from './tracing/sample-tracing.js';
import { TracingModule } from './tracing/tracing.module.js';

/** `embedded`: no credentials, the in-process simulator plays Pathors; `cloud`: the real Pathors API. */
export type SampleAppMode = 'embedded' | 'cloud';

/** A started sample app. */
export interface RunningSampleApp {
  readonly app: INestApplication;
  readonly mode: SampleAppMode;
  /** The app's origin, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The agents registered, each a `PathorsModule` registration: the follow-up agent, and the support agent if set up. */
  readonly agents: readonly SampleAgent[];
  /** The simulators standing in for Pathors (one project per agent), in embedded mode. */
  readonly embedded?: EmbeddedPathors;
  /** Whether `/metrics` and the inspector's live chart are served (`SAMPLE_METRICS`, default on). */
  readonly metrics: boolean;
  /** Whether spans are sent to an OTLP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  readonly traces: boolean;
}

/** Options of {@link startSampleApp}. */
export interface StartSampleAppOptions {
  /** Nest log levels; `false` silences the app (tests). */
  readonly logger?: false | LogLevel[];
}

/** Which mode the environment asks for; a half-configured cloud setup is an error, not a silent fallback. */
export function sampleAppMode(env: NodeJS.ProcessEnv): SampleAppMode {
  const hasKey = Boolean(env.PATHORS_API_KEY);
  const hasProject = Boolean(env.PATHORS_PROJECT_ID);
  if (hasKey !== hasProject) {
    throw new Error(
      `Set both PATHORS_API_KEY and PATHORS_PROJECT_ID to use the Pathors cloud (only ${hasKey ? 'the key' : 'the project'} ` +
        'is set), or neither to run on the embedded simulator.',
    );
  }
  return hasKey ? 'cloud' : 'embedded';
}

/**
 * The agents the app registers: the follow-up agent always; the support agent on the embedded simulator, and in the
 * cloud when `PATHORS_SUPPORT_API_KEY` and `PATHORS_SUPPORT_PROJECT_ID` are set (half of them is an error).
 */
export function sampleAgents(env: NodeJS.ProcessEnv, mode: SampleAppMode): SampleAgent[] {
  if (mode === 'embedded') return [FOLLOW_UP_AGENT, SUPPORT_AGENT];
  const hasKey = Boolean(env.PATHORS_SUPPORT_API_KEY);
  const hasProject = Boolean(env.PATHORS_SUPPORT_PROJECT_ID);
  if (hasKey !== hasProject) {
    throw new Error(
      `Set both PATHORS_SUPPORT_API_KEY and PATHORS_SUPPORT_PROJECT_ID to add the support agent (only ` +
        `${hasKey ? 'the key' : 'the project'} is set), or neither to run without it.`,
    );
  }
  return hasKey ? [FOLLOW_UP_AGENT, SUPPORT_AGENT] : [FOLLOW_UP_AGENT];
}

/**
 * Runs `create` with `values` set in `process.env`, then restores the environment. Config factories read the
 * environment while the app is created, so the embedded simulator's settings reach them exactly as a cloud setup's
 * would, without leaking into the process afterwards.
 */
async function withEnvironment<T>(values: Record<string, string>, create: () => Promise<T>): Promise<T> {
  const previous = Object.keys(values).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, values);
  try {
    return await create();
  } finally {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Swagger UI at `/docs` (the document at `/docs-json`): the app's routes, plus the Pathors webhook and its events. */
function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder().setTitle('Pathors sample app').setOpenAPIVersion('3.1.0').build();
  const document = addPathorsWebhooksToDocument(app, SwaggerModule.createDocument(app, config));
  SwaggerModule.setup('docs', app, document);
}

/**
 * Starts the sample app: on the embedded simulator without credentials (both agents' webhooks pointed at this app), on
 * the Pathors cloud with `PATHORS_API_KEY` and `PATHORS_PROJECT_ID` (and the support agent's `PATHORS_SUPPORT_*`).
 * Listens on `HOST`:`PORT`.
 */
export async function startSampleApp(options: StartSampleAppOptions = {}): Promise<RunningSampleApp> {
  const mode = sampleAppMode(process.env);
  const agents = sampleAgents(process.env, mode);
  const settings = sampleConfig();
  const embedded =
    mode === 'embedded'
      ? await EmbeddedPathors.start({
          [FOLLOW_UP_AGENT]: process.env.PATHORS_WEBHOOK_SECRET,
          [SUPPORT_AGENT]: process.env.PATHORS_SUPPORT_WEBHOOK_SECRET,
        })
      : undefined;
  let telemetry: SampleTelemetry | undefined;
  let tracing: SampleTracing | undefined;
  try {
    // Before the app is created: nestjs-pathors takes its meter from the provider registered when its module is created.
    telemetry = settings.metrics ? SampleTelemetry.start() : undefined;
    tracing = settings.traces ? SampleTracing.start() : undefined;
    const app = await withEnvironment(embedded?.environment() ?? {}, () =>
      NestFactory.create(
        {
          module: AppModule,
          imports: [
            ...(embedded ? [EmbeddedPathorsModule.forRoot(embedded)] : []),
            // A handler limited to the support registration needs it: the module comes with its registration.
            ...(agents.includes(SUPPORT_AGENT) ? [SupportModule] : []),
            // Dead letters exist only with the durable inbox (PATHORS_INBOX=bullmq).
            ...(settings.inbox ? [DeadLettersModule] : []),
            ...(telemetry ? [MetricsModule.forRoot(telemetry)] : []),
            ...(tracing ? [TracingModule.forRoot(tracing)] : []),
          ],
        },
        {
          logger: options.logger ?? ['log', 'warn', 'error'],
          abortOnError: false,
          // An open inspector tab holds a server-sent-events connection: close it rather than wait on shutdown.
          forceCloseConnections: true,
        },
      ),
    );
    app.enableShutdownHooks();
    setUpOpenApi(app);
    const { port, host } = app.get<ConfigType<typeof sampleConfig>>(sampleConfig.KEY);
    await app.listen(port, host);
    const address = app.getHttpServer().address() as { port: number };
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    // What a cloud user does once in the dashboard (or with webhook.register): point each agent's webhook at this app.
    if (embedded) {
      const clients = app.get(PathorsClients);
      for (const agent of agents) {
        const webhook = embedded.project(agent).webhookFor(`${url}/${WEBHOOK_PATHS[agent]}`);
        await clients.get(agent).agent.setPostSessionWebhook(webhook);
      }
    }
    return {
      app,
      mode,
      url,
      agents,
      embedded,
      metrics: telemetry !== undefined,
      traces: tracing !== undefined,
    };
  } catch (error) {
    await telemetry?.shutdown();
    await tracing?.shutdown();
    await embedded?.stop();
    throw error;
  }
}

/** The lines `npm start` prints once the app listens. */
export function describeSampleApp(running: RunningSampleApp): string[] {
  const { url, mode, agents, embedded, metrics, traces } = running;
  const hasSupport = agents.includes(SUPPORT_AGENT);
  const play = (body: string) =>
    `curl -X POST ${url}/demo/sessions -H 'content-type: application/json' -d '${body}'`;
  return [
    `Pathors sample app listening on ${url}`,
    embedded
      ? `Mode: embedded simulators (no Pathors account needed): agent "${FOLLOW_UP_AGENT}" at ` +
        `${embedded.project(FOLLOW_UP_AGENT).baseUrl}, agent "${SUPPORT_AGENT}" at ${embedded.project(SUPPORT_AGENT).baseUrl}`
      : `Mode: Pathors cloud (PATHORS_API_KEY and PATHORS_PROJECT_ID are set); support agent ${
          hasSupport ? 'on (PATHORS_SUPPORT_* are set)' : 'not registered (PATHORS_SUPPORT_* unset)'
        }`,
    `Event inspector:  ${url}/`,
    ...agents.map((agent) => `Webhook endpoint: ${url}/${WEBHOOK_PATHS[agent]} (agent "${agent}")`),
    `Stored outcomes:  ${url}/outcomes`,
    ...(hasSupport ? [`Support tickets:  ${url}/support/tickets`] : []),
    `API docs:         ${url}/docs`,
    `Health:           ${url}/health`,
    ...(metrics ? [`Metrics:          ${url}/metrics (Prometheus)`] : []),
    ...(traces ? ['Traces:           sent over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT)'] : []),
    ...(mode === 'embedded'
      ? [
          `Play a call:      ${play('{"kind":"call"}')}`,
          `Support chat:     ${play('{"kind":"text","agent":"support"}')}`,
        ]
      : []),
  ];
}

/** Logs {@link describeSampleApp}. */
export function announceSampleApp(running: RunningSampleApp): void {
  const logger = new Logger('SampleApp');
  for (const line of describeSampleApp(running)) logger.log(line);
}
