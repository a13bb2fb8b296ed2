import { PGlite } from '@electric-sql/pglite';
import { mkdir } from 'node:fs/promises';
import { Database, type Row } from './database.js';

/** PostgreSQL compiled to WebAssembly, in this process: the default, no server needed. */
export class PgliteDatabase extends Database {
  readonly description: string;

  private constructor(
    private readonly db: PGlite,
    dataDir: string | undefined,
  ) {
    super();
    this.description = dataDir ? `PGlite (embedded, data in ${dataDir})` : 'PGlite (embedded, in memory)';
  }

  /** Opens the database; `dataDir` persists it on disk, without one it lives in memory. */
  static async open(dataDir?: string): Promise<PgliteDatabase> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    const db = new PGlite(dataDir);
    await db.waitReady;
    return new PgliteDatabase(db, dataDir);
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.db.query<T>(sql, [...params]);
    return result.rows;
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
