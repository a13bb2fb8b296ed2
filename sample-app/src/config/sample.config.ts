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
}));
