import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BANNER = /Pathors sample app listening on (http:\/\/\S+)/;

/** The sample app running as `npm start` runs it: the built `sample-app/dist/main.js` in a child process. */
export interface BuiltSampleApp {
  readonly url: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends SIGTERM (once) and resolves with how the process ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Builds the sample app (and the package first when its build is missing), as `npm run build:sample` does. */
export function buildSampleApp(): void {
  const tsc = `${ROOT}node_modules/typescript/bin/tsc`;
  if (!existsSync(`${ROOT}libs/pathors/dist/index.js`)) {
    execFileSync(process.execPath, [tsc, '-p', 'libs/pathors/tsconfig.lib.json'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  }
  execFileSync(process.execPath, [tsc, '-p', 'sample-app/tsconfig.app.json'], { cwd: ROOT, stdio: 'pipe' });
}

/**
 * Starts `node sample-app/dist/main.js` on a free port, data in memory, metrics off unless `env` turns them on, and
 * resolves once it printed its banner.
 */
export async function startBuiltSampleApp(env: Record<string, string> = {}): Promise<BuiltSampleApp> {
  const child: ChildProcess = spawn(process.execPath, ['sample-app/dist/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      PGLITE_DATA_DIR: 'memory',
      NO_COLOR: '1',
      SAMPLE_METRICS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = BANNER.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) =>
      reject(new Error(`The sample app exited (${code}) before listening:\n${output}`)),
    );
  });
  return {
    url,
    output: () => output,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
