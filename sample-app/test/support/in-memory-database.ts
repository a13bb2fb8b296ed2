import { Database } from '../../src/database/database.js';
import { PgliteDatabase } from '../../src/database/pglite.database.js';
import { SCHEMA } from '../../src/database/schema.js';

/** PGlite (WebAssembly) takes a few seconds to start on a busy machine. */
export const BOOT_TIMEOUT_MS = 60_000;

/** An in-memory PGlite database with the app's tables. */
export async function inMemoryDatabase(): Promise<Database> {
  const database = await PgliteDatabase.open();
  await database.exec(SCHEMA);
  return database;
}
