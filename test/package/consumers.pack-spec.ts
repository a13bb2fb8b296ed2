import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { buildCallEnded, sharedSecretHeaders } from 'nestjs-pathors/testing';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, CONSUMER_TSCONFIG, PACKAGE_DIR, TSC, run } from './app-process.js';

/**
 * The newcomer test: the packed tarball installed into fresh apps outside the monorepo, one ESM on NestJS 12 and one
 * CommonJS on NestJS 11 (which `require()`s the ESM package, as Node 20.19+ allows), each booted for real and sent an
 * event. Run with `npm run test:consumers` (it builds first). The app folders are kept in the temp dir and reused, so
 * only the first run pays for the npm install.
 */
const APP_SOURCE = join(import.meta.dirname, 'consumer-app/main.ts');
const SECRET = 'consumer-secret-2b7e151628aed2a6';
const INSTALL_TIMEOUT_MS = 150_000;

interface Consumer {
  readonly name: string;
  readonly moduleType: 'module' | 'commonjs';
  readonly adapter: 'express' | 'fastify';
  readonly nest: Record<string, string>;
}

const CONSUMERS: readonly Consumer[] = [
  {
    name: 'esm-nest12',
    moduleType: 'module',
    adapter: 'express',
    nest: {
      '@nestjs/common': '^12.0.0',
      '@nestjs/core': '^12.0.0',
      '@nestjs/platform-express': '^12.0.0',
      '@nestjs/platform-fastify': '^12.0.0',
      '@nestjs/event-emitter': '^12.0.0',
    },
  },
  {
    name: 'cjs-nest11',
    moduleType: 'commonjs',
    adapter: 'fastify',
    nest: {
      '@nestjs/common': '^11.0.0',
      '@nestjs/core': '^11.0.0',
      '@nestjs/platform-express': '^11.0.0',
      '@nestjs/platform-fastify': '^11.0.0',
      '@nestjs/event-emitter': '^3.0.0',
    },
  },
];

let tarball: string;
let packDir: string;

beforeAll(async () => {
  if (!existsSync(join(PACKAGE_DIR, 'dist/index.js')))
    throw new Error('libs/pathors/dist is missing: run `npm run build` first');
  packDir = mkdtempSync(join(tmpdir(), 'nestjs-pathors-pack-'));
  await run('npm', ['pack', '--pack-destination', packDir, '--silent'], { cwd: PACKAGE_DIR });
  const [file] = readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
  tarball = join(packDir, file);
}, 60_000);
afterAll(() => rmSync(packDir, { recursive: true, force: true }));

/** Writes (or refreshes) the app folder and installs its dependencies, the tarball among them. */
async function prepare(consumer: Consumer): Promise<string> {
  const dir = join(tmpdir(), `nestjs-pathors-consumer-${consumer.name}`);
  mkdirSync(join(dir, 'src'), { recursive: true });
  copyFileSync(tarball, join(dir, 'nestjs-pathors.tgz'));
  copyFileSync(APP_SOURCE, join(dir, 'src/main.ts'));
  const manifest = {
    name: `nestjs-pathors-consumer-${consumer.name}`,
    private: true,
    type: consumer.moduleType,
    dependencies: {
      ...consumer.nest,
      'class-transformer': '^0.5.1',
      'class-validator': '^0.14.0',
      'reflect-metadata': '^0.2.0',
      rxjs: '^7.8.0',
      'nestjs-pathors': 'file:nestjs-pathors.tgz',
    },
    devDependencies: { '@types/node': '^20.0.0' },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: dir,
    timeout: INSTALL_TIMEOUT_MS,
  });
  // The installed copy must be this build, not a stale one from an earlier run.
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', './nestjs-pathors.tgz'],
    {
      cwd: dir,
      timeout: INSTALL_TIMEOUT_MS,
    },
  );
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir });
  return dir;
}

describe.each(CONSUMERS)('the packed tarball in a fresh $name app ($adapter)', (consumer) => {
  let app: AppProcess | undefined;
  afterEach(() => {
    app?.stop();
  });

  it(
    'installs, compiles, boots and runs the handler for an authenticated event',
    async () => {
      const started = Date.now();
      const dir = await prepare(consumer);
      console.info(
        `[${consumer.name}] installed and compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );

      app = new AppProcess({
        cwd: dir,
        args: ['dist/main.js'],
        env: { PATHORS_WEBHOOK_SECRET: SECRET, CONSUMER_ADAPTER: consumer.adapter },
      });
      const url = await app.lineStartingWith('LISTENING ');
      const payload = buildCallEnded({ callStatus: 'voicemail' });
      const response = await fetch(`${url}/pathors/webhooks`, {
        method: 'POST',
        headers: { ...sharedSecretHeaders(SECRET), 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true });

      const seen = JSON.parse(await app.lineStartingWith('RECEIVED ')) as Record<string, unknown>;
      expect(seen).toEqual({
        className: 'CallEndedEvent',
        isCallEndedEvent: true,
        timestampIsDate: true,
        sessionId: payload.sessionId,
        callStatus: 'voicemail',
        dialect: 'lifecycle',
      });

      const refused = await fetch(`${url}/pathors/webhooks`, {
        method: 'POST',
        headers: { ...sharedSecretHeaders('not-the-secret'), 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      expect(refused.status).toBe(401);
    },
    2 * INSTALL_TIMEOUT_MS + 60_000,
  );
});
