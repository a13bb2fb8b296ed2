import { registerAs } from '@nestjs/config';
import { fileURLToPath } from 'node:url';

/** Settings of the sample app itself (not of Pathors), read from the environment. */
export interface SampleConfig {
  /** HTTP port; `0` picks a free one. Env `PORT`, default 3000. */
  readonly port: number;
  /** Interface to listen on. Env `HOST`, default `127.0.0.1` (use `0.0.0.0` in a container). */
  readonly host: string;
  /** The project's number outbound calls are placed from, E.164. Env `PATHORS_FROM_NUMBER`. */
  readonly fromNumber?: string;
  /** PostgreSQL connection string. Env `DATABASE_URL`; unset means embedded PGlite. */
  readonly databaseUrl?: string;
  /**
   * Where PGlite keeps its files; `undefined` keeps the data in memory. Env `PGLITE_DATA_DIR`, default
   * `sample-app/data/pglite` (gitignored); `memory` for in-memory.
   */
  readonly pgliteDataDir?: string;
  /**
   * Redis connection string. Env `REDIS_URL`; unset keeps the idempotency records in memory (one instance).
   * @example 'redis://127.0.0.1:6379'
   */
  readonly redisUrl?: string;
  /** Prefix of every Redis key the app writes. Env `REDIS_KEY_PREFIX`, default `sample-app:`. */
  readonly redisKeyPrefix: string;
  /** Persist deliveries in the BullMQ inbox before answering. Env `PATHORS_INBOX=bullmq`; needs `REDIS_URL`. */
  readonly inbox: boolean;
  /** Key the app's own REST endpoints require in `x-api-key`. Env `SAMPLE_API_KEY`; unset leaves them open. */
  readonly apiKey?: string;
  /**
   * Serve the OpenTelemetry metrics at `GET /metrics` (Prometheus text) and the inspector's live chart. Env
   * `SAMPLE_METRICS=off` turns them off; default on.
   */
  readonly metrics: boolean;
  /**
   * Send traces over OTLP/HTTP. On when env `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
   * names a collector; off otherwise.
   */
  readonly traces: boolean;
}

const DEFAULT_PGLITE_DATA_DIR = fileURLToPath(new URL('../../data/pglite', import.meta.url));

const portFrom = (value: string | undefined): number => {
  const port = Number(value ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `PORT must be an integer from 0 to 65535, got "${value}". Unset it for the default (3000).`,
    );
  }
  return port;
};

const inboxFrom = (value: string | undefined, redisUrl: string | undefined): boolean => {
  if (!value) return false;
  if (value !== 'bullmq') {
    throw new Error(`PATHORS_INBOX must be "bullmq" or unset, got "${value}".`);
  }
  if (!redisUrl) {
    throw new Error(
      'PATHORS_INBOX=bullmq needs REDIS_URL (e.g. redis://127.0.0.1:6379): the inbox lives in Redis.',
    );
  }
  return true;
};

const switchFrom = (name: string, value: string | undefined): boolean => {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`${name} must be "on" or "off", got "${value}". Unset it for the default (on).`);
};

/** The `sample` config namespace. */
export const sampleConfig = registerAs('sample', (): SampleConfig => ({
  port: portFrom(process.env.PORT),
  host: process.env.HOST || '127.0.0.1',
  fromNumber: process.env.PATHORS_FROM_NUMBER || undefined,
  databaseUrl: process.env.DATABASE_URL || undefined,
  pgliteDataDir:
    process.env.PGLITE_DATA_DIR === 'memory'
      ? undefined
      : (process.env.PGLITE_DATA_DIR ?? DEFAULT_PGLITE_DATA_DIR),
  redisUrl: process.env.REDIS_URL || undefined,
  redisKeyPrefix: process.env.REDIS_KEY_PREFIX || 'sample-app:',
  inbox: inboxFrom(process.env.PATHORS_INBOX, process.env.REDIS_URL),
  apiKey: process.env.SAMPLE_API_KEY || undefined,
  metrics: switchFrom('SAMPLE_METRICS', process.env.SAMPLE_METRICS),
  traces: Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
}));
