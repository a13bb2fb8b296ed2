import { startSampleApp, type RunningSampleApp } from '../../../sample-app/src/bootstrap.js';

/** Environment of a test boot: a free port, data in memory, nothing from the developer's shell. */
const TEST_ENVIRONMENT: Record<string, string | undefined> = {
  PORT: '0',
  HOST: '127.0.0.1',
  PGLITE_DATA_DIR: 'memory',
  DATABASE_URL: undefined,
  PATHORS_API_KEY: undefined,
  PATHORS_PROJECT_ID: undefined,
  PATHORS_BASE_URL: undefined,
  PATHORS_WEBHOOK_SECRET: undefined,
  PATHORS_FROM_NUMBER: undefined,
  PATHORS_SUPPORT_API_KEY: undefined,
  PATHORS_SUPPORT_PROJECT_ID: undefined,
  PATHORS_SUPPORT_BASE_URL: undefined,
  PATHORS_SUPPORT_WEBHOOK_SECRET: undefined,
  PUBLIC_URL: undefined,
  REDIS_URL: undefined,
  REDIS_KEY_PREFIX: undefined,
  PATHORS_INBOX: undefined,
  SAMPLE_API_KEY: undefined,
  SAMPLE_METRICS: 'off',
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
};

/** Boots the sample app as `npm start` does, with `env` over {@link TEST_ENVIRONMENT}; logs silenced. */
export async function bootSampleApp(env: Record<string, string | undefined> = {}): Promise<RunningSampleApp> {
  const saved = { ...process.env };
  for (const [name, value] of Object.entries({ ...TEST_ENVIRONMENT, ...env })) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await startSampleApp({ logger: false });
  } finally {
    process.env = saved;
  }
}
