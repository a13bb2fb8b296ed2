import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * The run's own redis-server (never the machine's 6379), writing every command to its append-only file before
 * answering, as a production Redis with AOF does: a restart on the same port and folder keeps the data.
 */
export class ChaosRedis {
  private server?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts redis-server and resolves once it answers PING. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    this.server = spawn('redis-server', [...args, '--appendonly', 'yes', '--appendfsync', 'always'], {
      stdio: 'ignore',
    });
    for (let attempt = 0; attempt < 200; attempt++) {
      const probe = new Redis({
        port: this.port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 25));
      } finally {
        probe.disconnect();
      }
    }
    throw new Error(`redis-server on port ${this.port} did not answer within 5 s`);
  }

  /** `kill -9` of the server: whatever it had not written to its append-only file is gone. */
  async kill(): Promise<void> {
    const server = this.server;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGKILL');
    await once(server, 'exit');
  }
}
