/** A row as the driver returns it: column name to value. */
export type Row = Record<string, unknown>;

/**
 * The SQL database the sample app stores outcomes in. Both drivers speak PostgreSQL (`$1` placeholders, `jsonb`,
 * `ON CONFLICT`), so the repositories are written once. Injected by class: tests and the two drivers swap it freely.
 */
export abstract class Database {
  /** Human-readable name of the driver, for the boot banner (never the connection string: it may hold a password). */
  abstract readonly description: string;

  /** Runs one parameterised statement and returns its rows (those of `RETURNING` for a write). */
  abstract query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;

  /** Runs a script of several statements without parameters (the schema). */
  abstract exec(sql: string): Promise<void>;

  /** Releases the connection(s). */
  abstract close(): Promise<void>;
}
