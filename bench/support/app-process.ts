import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('./register.mjs', import.meta.url));

/** Options of {@link startAppProcess}. */
export interface AppProcessOptions {
  /** Run the child under `--cpu-prof`, writing its profile into this folder on close. */
  readonly profileDir?: string;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * A TypeScript entry point running in its own Node process, talked to over IPC with typed messages: one request,
 * one reply, in order.
 */
export class AppProcess<Request extends { type: string }, Reply extends { type: string }> {
  private readonly pending: Array<(reply: Reply) => void> = [];
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => this.pending.shift()?.(reply));
    child.on('exit', () => (this.exited = true));
  }

  /** Starts the entry, resolving with the process and its first message (the entry's "ready"). */
  static async start<Request extends { type: string }, Reply extends { type: string }>(
    entry: URL,
    args: readonly string[],
    options: AppProcessOptions = {},
  ): Promise<{ process: AppProcess<Request, Reply>; ready: Reply }> {
    const execArgv = ['--import', REGISTER, '--enable-source-maps'];
    if (options.profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
    const child = fork(fileURLToPath(entry), [...args], {
      execArgv,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const appProcess = new AppProcess<Request, Reply>(child);
    const ready = new Promise<Reply>((resolve) => appProcess.pending.push(resolve));
    const failed = once(child, 'exit').then(([code]) => {
      throw new Error(
        `${fileURLToPath(entry)} ${args.join(' ')} exited with code ${String(code)} before it was ready`,
      );
    });
    return { process: appProcess, ready: await Promise.race([ready, failed]) };
  }

  /** Sends a request and resolves with its reply. */
  request(message: Request): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error('the app process has exited'));
    return new Promise((resolve) => {
      this.pending.push(resolve);
      this.child.send(message);
    });
  }

  /** Asks the process to close (so a CPU profile is written), killing it if it does not exit within 10 s. */
  async close(message: Request): Promise<void> {
    if (this.exited) return;
    const exited = once(this.child, 'exit');
    this.child.send(message);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
