import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { sampleConfig } from '../config/sample.config.js';
import { Database } from './database.js';
import { PgliteDatabase } from './pglite.database.js';
import { PostgresDatabase } from './postgres.database.js';
import { SCHEMA } from './schema.js';

/** Opens PostgreSQL when `DATABASE_URL` is set, embedded PGlite otherwise, and creates the tables. */
async function openDatabase(config: ConfigType<typeof sampleConfig>): Promise<Database> {
  const database = config.databaseUrl
    ? await PostgresDatabase.connect(config.databaseUrl)
    : await PgliteDatabase.open(config.pgliteDataDir);
  await database.exec(SCHEMA);
  new Logger('Database').log(`Outcomes are stored in ${database.description}`);
  return database;
}

/** Provides the {@link Database} to every module, and closes it when the app shuts down. */
@Global()
@Module({
  imports: [ConfigModule.forFeature(sampleConfig)],
  providers: [{ provide: Database, useFactory: openDatabase, inject: [sampleConfig.KEY] }],
  exports: [Database],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
    new Logger('Database').log(`Closed ${this.database.description}`);
  }
}
