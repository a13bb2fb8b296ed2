import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';

/** A Nest logger that keeps the messages each context logged, for the documentation's apps. */
export class ContextLogger implements LoggerService {
  private readonly lines: Array<{ context: unknown; message: string }> = [];
  log(message: unknown, context?: unknown): void {
    this.lines.push({ context, message: String(message) });
  }
  warn(): void {}
  error(): void {}
  /** The messages logged under `context`. */
  of(context: string): string[] {
    return this.lines.filter((line) => line.context === context).map((line) => line.message);
  }
}

/**
 * Boots one documentation app's `AppModule` (`./<folder>/app.module.js`) with `env` set first, as its options read the
 * environment when the module loads; `close()` shuts it and removes those variables again.
 */
export async function bootDocsApp(
  folder: string,
  env: Readonly<Record<string, string>>,
  logger: LoggerService,
): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  Object.assign(process.env, env);
  const { AppModule } = (await import(`./${folder}/app.module.js`)) as { AppModule: Type };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.init();
  return {
    app,
    close: async () => {
      await app.close();
      for (const name of Object.keys(env)) delete process.env[name];
    },
  };
}
