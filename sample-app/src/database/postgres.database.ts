import pg from 'pg';
import { Database, type Row } from './database.js';

/** A PostgreSQL server reached through a connection pool: used when `DATABASE_URL` is set. */
export class PostgresDatabase extends Database {
  readonly description: string;

  private constructor(private readonly pool: pg.Pool) {
    super();
    const { hostname, port, pathname } = new URL(pool.options.connectionString ?? 'postgres://localhost');
    this.description = `PostgreSQL (${hostname}:${port || 5432}${pathname})`;
  }

  /** Connects once up front, so a wrong `DATABASE_URL` fails the boot instead of the first webhook. */
  static async connect(connectionString: string): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString, max: 5 });
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end();
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `Cannot connect to the PostgreSQL server of DATABASE_URL: ${reason}. Check the URL or unset it.`,
        { cause: error },
      );
    }
    return new PostgresDatabase(pool);
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.pool.query<T>(sql, [...params]);
    return result.rows;
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
