import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The machine's own Redis: never started, paused or killed here. */
const SHARED_REDIS_PORT = 6379;

/** Options of {@link RedisServer.start}. */
export interface RedisServerOptions {
  /**
   * Keep the data across a kill: an append-only file written on every command (`--appendonly yes
   * --appendfsync always`) in a temporary folder. Without it a restart starts empty, as `--save ''` keeps nothing.
   * @default false
   */
  durable?: boolean;
}

/** A free TCP port on 127.0.0.1, other than the shared Redis's. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port === SHARED_REDIS_PORT ? freePort() : port;
}

/**
 * A `redis-server` of a test's own, on a free port, to kill (`SIGKILL`, by pid), pause and restart on the same port.
 * The machine's Redis on 6379 is never touched.
 */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(
    /** The port it listens on (127.0.0.1). */
    readonly port: number,
    private readonly dataDir: string,
    private readonly durable: boolean,
  ) {}

  /** Starts a server and resolves once it answers `PING`. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dataDir = await mkdtemp(join(tmpdir(), 'pathors-redis-'));
    const server = new RedisServer(await freePort(), dataDir, options.durable ?? false);
    await server.restart();
    return server;
  }

  /** ioredis/BullMQ connection options of this server. */
  get connection(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Kills the server with `SIGKILL` (no shutdown, no save) and resolves once it exited. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }

  /** Starts the server again on the same port (after {@link RedisServer.kill}) and resolves once it answers `PING`. */
  async restart(): Promise<void> {
    if (this.process) throw new Error(`redis-server on ${this.port} is still running`);
    const persistence = this.durable
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    // DEBUG SLEEP (a server blocked by a slow command) is a fault the suites play.
    const debug = ['--enable-debug-command', 'local'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...debug];
    this.process = spawn('redis-server', [...args, '--dir', this.dataDir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await this.answersPing())) {
      if (this.process.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server did not start on port ${this.port}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends one command with `redis-cli` and resolves with its reply, e.g. `command('CLIENT', 'PAUSE', '3000', 'ALL')`. */
  async command(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(this.port), ...args]);
    return stdout.trim();
  }

  /** Kills the server and removes its data. */
  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async answersPing(): Promise<boolean> {
    try {
      return (await this.command('PING')) === 'PONG';
    } catch {
      return false;
    }
  }
}
