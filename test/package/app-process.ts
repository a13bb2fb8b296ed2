import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';

/** Runs a command to its end; rejects with its output when it fails. */
export const run = promisify(execFile);
/** The repository's root. */
export const ROOT = join(import.meta.dirname, '../..');
/** The package's folder (its `dist` is what the consumer apps use). */
export const PACKAGE_DIR = join(ROOT, 'libs/pathors');
/** The repository's TypeScript compiler. */
export const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The tsconfig of a consumer app: a plain NodeNext Nest app compiling `src` to `dist`. */
export const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
};

/** How to start an app: the Node arguments (flags, then the script), its folder and the variables it reads. */
export interface AppProcessOptions {
  readonly cwd: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** An app started with this Node in a child process, with the lines it prints (stdout and stderr), as they come. */
export class AppProcess {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  private readonly waiters: Array<() => void> = [];

  constructor({ cwd, args, env = {} }: AppProcessOptions) {
    this.child = spawn(process.execPath, [...args], {
      cwd,
      // NODE_OPTIONS of the Jest run (--experimental-vm-modules) are not the app's.
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        this.waiters.splice(0).forEach((wake) => wake());
      });
    }
  }

  /** The rest of the first line that starts with `prefix`, or a failure naming everything the app printed. */
  async lineStartingWith(prefix: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((line) => line.startsWith(prefix));
      if (found !== undefined) return found.slice(prefix.length);
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`no "${prefix}" line; the app printed:\n${this.lines.join('\n')}`);
      }
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 250);
      });
    }
  }

  /** Stops the app (SIGTERM). */
  stop(): void {
    this.child.kill();
  }
}
