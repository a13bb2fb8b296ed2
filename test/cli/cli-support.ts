import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';

const ROOT = join(import.meta.dirname, '..', '..');
/** The built binary the package's `bin` points to. */
export const CLI_BIN = join(ROOT, 'libs/pathors/dist/cli/main.js');

const newestSourceMtime = (dir: string): number =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs;
    }),
  );

/** Builds the package when the binary is missing or older than the CLI's sources (CI builds before testing). */
export function ensureCliBuilt(): void {
  const sources = join(ROOT, 'libs/pathors/src/cli');
  if (existsSync(CLI_BIN) && statSync(CLI_BIN).mtimeMs >= newestSourceMtime(sources)) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(CLI_BIN))
    throw new Error(`npm run build did not produce ${CLI_BIN}:\n${build.stdout}${build.stderr}`);
}

/** What one run of the CLI printed and its exit code. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would, without a TTY (so without colour or progress line). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Makes the app listen on an ephemeral port of 127.0.0.1 and returns its webhook URL. */
export async function listenForWebhooks(app: INestApplication, path = '/pathors/webhooks'): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}${path}`;
}
