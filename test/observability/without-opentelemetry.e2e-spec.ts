import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { OnPathorsEvent, type CallEndedEvent } from 'nestjs-pathors';
import { buildCallEnded, deliver } from 'nestjs-pathors/testing';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuiltPackage } from '../delivery/support/built-package.js';
import { ADAPTERS, useWebhookApp } from '../support/webhook-app.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const PACKAGE_DIR = join(ROOT, 'libs/pathors');
const FIXTURE = join(import.meta.dirname, 'fixtures/webhook-app.cjs');

/** Records what `call.ended` handlers received and the span active while they ran. */
@Injectable()
class CallHandler {
  readonly calls: Array<{ sessionId: string; activeSpan: unknown }> = [];

  @OnPathorsEvent('call.ended')
  onCallEnded(event: CallEndedEvent): void {
    this.calls.push({ sessionId: event.sessionId, activeSpan: trace.getActiveSpan() });
  }
}

describe.each(ADAPTERS)('with @opentelemetry/api installed and no SDK registered, on %s', (adapter) => {
  const harness = useWebhookApp({
    adapter,
    pathors: { webhook: { secret: 'no-sdk-secret-3e9d' } },
    providers: [CallHandler],
  });

  it('handles a delivery as without telemetry: no span is active in the handler', async () => {
    const payload = buildCallEnded();
    const response = await deliver(harness().app, payload);
    expect(response.status).toBe(200);
    expect(harness().get(CallHandler).calls).toEqual([
      { sessionId: payload.sessionId, activeSpan: undefined },
    ]);
  });
});

/**
 * The built package in a folder whose node_modules holds every package of the monorepo's but @opentelemetry/*: an
 * app that never installed the optional peer.
 */
describe('without @opentelemetry/api installed', () => {
  let appDir: string;

  beforeAll(() => {
    ensureBuiltPackage();
    appDir = mkdtempSync(join(tmpdir(), 'nestjs-pathors-no-otel-'));
    const modules = join(appDir, 'node_modules');
    mkdirSync(modules);
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name === '@opentelemetry' || name === 'nestjs-pathors' || name.startsWith('.')) continue;
      symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
    }
    const installed = join(modules, 'nestjs-pathors');
    mkdirSync(installed);
    cpSync(join(PACKAGE_DIR, 'package.json'), join(installed, 'package.json'));
    cpSync(join(PACKAGE_DIR, 'dist'), join(installed, 'dist'), { recursive: true });
    symlinkSync(join(PACKAGE_DIR, 'node_modules'), join(installed, 'node_modules'));
    cpSync(FIXTURE, join(appDir, 'webhook-app.cjs'));
  }, 180_000);
  afterAll(() => rmSync(appDir, { recursive: true, force: true }));

  it.each(['require', 'import'])('loads with %s() and handles a delivery', async (loader) => {
    const { stdout } = await run(process.execPath, ['webhook-app.cjs', loader], {
      cwd: appDir,
      // NODE_OPTIONS of the Jest run (--experimental-vm-modules) are not the app's.
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 30_000,
    });
    const line = stdout.split('\n').find((entry) => entry.startsWith('RESULT '));
    expect(JSON.parse(line!.slice('RESULT '.length))).toEqual({
      apiInstalled: false,
      status: 200,
      handled: true,
    });
  });
});
