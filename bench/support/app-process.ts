import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const REGISTER = fileURLToPath(new URL('./register.mjs', import.meta.url));

/** Options of {@link startAppProcess}. */
export interface AppProcessOptions {
  /** Run the child under `--cpu-prof`, writing its profile into this folder on close. */
  readonly profileDir?: string;
  /** Extra Node options, e.g. `--expose-gc`. */
  readonly nodeOptions?: readonly string[];
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * A TypeScript entry point running in its own Node process, talked to over IPC with typed messages: one request,
 * one reply, in order.
 */
export class AppProcess<Request extends { type: string }, Reply extends { type: string }> {
  private readonly pending: Array<(reply: Reply) => void> = [];
  private readonly listeners: Array<(reply: Reply) => void> = [];
  private exited = false;
  /** Resolves with the exit code when the process ends. */
  readonly exit: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      const waiting = this.pending.shift();
      if (waiting) waiting(reply);
      else for (const listener of this.listeners) listener(reply);
    });
    this.exit = once(child, 'exit').then(([code]) => {
      this.exited = true;
      return code as number | null;
    });
  }

  /** Listens to messages no request is waiting for (progress reports). */
  onMessage(listener: (reply: Reply) => void): void {
    this.listeners.push(listener);
  }

  /** Sends a message without waiting for a reply. */
  post(message: Request): void {
    this.child.send(message);
  }

  /** Starts the entry, resolving with the process and its first message (the entry's "ready"). */
  static async start<Request extends { type: string }, Reply extends { type: string }>(
    entry: URL,
    args: readonly string[],
    options: AppProcessOptions = {},
  ): Promise<{ process: AppProcess<Request, Reply>; ready: Reply }> {
    const execArgv = ['--import', REGISTER, '--enable-source-maps', ...(options.nodeOptions ?? [])];
    if (options.profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
    const child = fork(fileURLToPath(entry), [...args], {
      execArgv,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const appProcess = new AppProcess<Request, Reply>(child);
    const ready = new Promise<Reply>((resolve) => appProcess.pending.push(resolve));
    const failed = appProcess.exit.then((code) => {
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

  /** Kills the process at once (`kill -9`: no shutdown hook runs) and resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  /** Asks the process to close (so a CPU profile is written), killing it if it does not exit within 10 s. */
  async close(message: Request): Promise<void> {
    if (this.exited) return;
    this.child.send(message);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exit;
    clearTimeout(timer);
  }
}
