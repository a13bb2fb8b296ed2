import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CallEndedEvent,
  PlatformSessionEndedEvent,
  RecordingReadyEvent,
  SessionFinalizedEvent,
} from 'nestjs-pathors';
import { buildCallEnded, buildSessionCreated, standardWebhookHeaders } from 'nestjs-pathors/testing';
import { RecordingHandlers } from '../support/recording-handlers.js';
import { ADAPTERS, createWebhookApp, type AdapterName, type WebhookApp } from '../support/webhook-app.js';
import { CLI_BIN, ensureCliBuilt, listenForWebhooks, runCli } from './cli-support.js';

const SECRET = 'cli-secret-0123456789';
const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const OTHER_SIGNING_SECRET = `whsec_${Buffer.alloc(32, 6).toString('base64')}`;

let workDir: string;
beforeAll(() => {
  ensureCliBuilt();
  workDir = mkdtempSync(join(tmpdir(), 'pathors-cli-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const file = (name: string, content: string): string => {
  const path = join(workDir, name);
  writeFileSync(path, content);
  return path;
};

/** An app accepting both credentials, listening on 127.0.0.1 with the fixture handlers, reset before each test. */
function runningApp(adapter: AdapterName): { harness: WebhookApp; handlers: RecordingHandlers; url: string } {
  const target = {} as { harness: WebhookApp; handlers: RecordingHandlers; url: string };
  beforeAll(async () => {
    target.harness = await createWebhookApp({
      adapter,
      rawBody: true,
      pathors: { webhook: { secret: SECRET, signingSecret: SIGNING_SECRET } },
      providers: [RecordingHandlers],
    });
    target.handlers = target.harness.get(RecordingHandlers);
    target.url = await listenForWebhooks(target.harness.app);
  });
  afterAll(() => target.harness.app.close());
  beforeEach(() => {
    target.handlers.calls.length = 0;
  });
  return target;
}

describe('the built binary', () => {
  it('is the package bin and starts with a shebang', () => {
    const manifest = JSON.parse(readFileSync(join(CLI_BIN, '../../../package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(manifest.bin['nestjs-pathors']).toBe('./dist/cli/main.js');
    expect(readFileSync(CLI_BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it.each(['trigger', 'simulate', 'replay', 'verify'])(
    'documents %s and the exit codes in --help (exit 0)',
    async (command) => {
      const run = await runCli([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: nestjs-pathors ${command}`);
      expect(run.stdout).toContain('4  verify: the request does not authenticate');
      // No colour without a TTY.
      expect(run.stdout).not.toContain('\x1b[');
    },
  );

  it('exits 2 for a missing command, an unknown option and an invalid choice', async () => {
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(['trigger', 'call.ended', '--url', 'http://127.0.0.1:1/x', '--bogus'])).code).toBe(
      2,
    );
    const badDialect = await runCli([
      'trigger',
      'call.ended',
      '--url',
      'http://x.test/',
      '--secret',
      's',
      '--dialect',
      'x',
    ]);
    expect(badDialect.code).toBe(2);
    expect(badDialect.stderr).toContain('Allowed choices are lifecycle, platform');
  });
});

describe.each(ADAPTERS)('trigger against a running %s app', (adapter) => {
  const target = runningApp(adapter);

  it('sends a realistic call.ended with --set overrides, authenticated with the shared secret (exit 0)', async () => {
    const run = await runCli([
      'trigger',
      'call.ended',
      '--url',
      target.url,
      '--secret',
      SECRET,
      '--set',
      'callStatus=busy',
      '--set',
      'callDuration=0',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^200 in \d+ ms {2}\{"received":true\}$/m);
    expect(target.handlers.calls).toHaveLength(1);
    const event = target.handlers.calls[0].event as CallEndedEvent;
    expect(event).toBeInstanceOf(CallEndedEvent);
    expect([event.callStatus, event.callDuration]).toEqual(['busy', 0]);
  });

  it('signs a platform event with --signing-secret (secret from the environment)', async () => {
    const run = await runCli(['trigger', 'session.ended', '--dialect', 'platform', '--url', target.url], {
      PATHORS_WEBHOOK_SIGNING_SECRET: SIGNING_SECRET,
    });
    expect(run.code).toBe(0);
    const [{ event, delivery }] = target.handlers.calls;
    expect(event).toBeInstanceOf(PlatformSessionEndedEvent);
    expect(delivery.deliveryId).toMatch(/^msg_/);
  });

  it('sends a text session.finalized with --unset, and nested fields with dotted --set', async () => {
    const unset = ['--unset', 'callStatus', '--unset', 'callDuration'];
    expect(
      (await runCli(['trigger', 'session.finalized', '--url', target.url, '--secret', SECRET, ...unset]))
        .code,
    ).toBe(0);
    expect((target.handlers.calls[0].event as SessionFinalizedEvent).isCall()).toBe(false);

    const nested = ['--set', 'metadata.sessionVariables.crmContactId=crm-7'];
    const run = await runCli([
      'trigger',
      'session.created',
      '--url',
      target.url,
      '--signing-secret',
      SIGNING_SECRET,
      ...nested,
    ]);
    expect(run.code).toBe(0);
    expect(target.handlers.calls[1].delivery.payload.metadata).toMatchObject({
      sessionVariables: { crmContactId: 'crm-7' },
    });
  });

  it('exits 1 and shows the status when the app refuses the delivery (401 wrong secret, 400 invalid field)', async () => {
    const unauthorized = await runCli([
      'trigger',
      'call.ended',
      '--url',
      target.url,
      '--secret',
      'wrong-secret',
    ]);
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stdout).toMatch(/^401 in/m);
    const invalid = await runCli([
      'trigger',
      'call.ended',
      '--url',
      target.url,
      '--secret',
      SECRET,
      '--set',
      'callStatus=42',
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('callStatus');
    expect(target.handlers.calls).toHaveLength(0);
  });
});

describe('without a reachable app', () => {
  /** A URL nothing listens at, with a valid secret. */
  const UNREACHABLE = ['--url', 'http://127.0.0.1:9/hooks', '--secret', SECRET];

  it('exits 2 for an unknown event, listing the known ones', async () => {
    const run = await runCli(['trigger', 'call.endded', ...UNREACHABLE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown event "call.endded"');
    expect(run.stderr).toContain('lifecycle: session.ended, call.ended, session.finalized, recording.ready');
  });

  it('exits 2 without any credential, naming the options', async () => {
    const run = await runCli(['trigger', 'call.ended', '--url', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pass --secret');
  });

  it.each([
    [['--secret', 'cli-\nsecret-0123456789'], '--secret contains a line break'],
    [['--secret', SECRET, '--secret-header', 'x pathors secret'], 'is not an HTTP header name'],
  ])(
    'exits 2, never echoing the secret, for a credential no header can carry (%j)',
    async (flags, message) => {
      const run = await runCli(['trigger', 'call.ended', '--url', 'http://127.0.0.1:9/', ...flags]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toContain('secret-0123456789');
    },
  );

  it('exits 3 when nothing listens at the URL', async () => {
    const run = await runCli(['trigger', 'call.ended', ...UNREACHABLE]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Could not reach http://127.0.0.1:9');
  });

  it('simulate and replay exit 3 too when nothing listens', async () => {
    const simulate = await runCli(['simulate', ...UNREACHABLE, '--sessions', '2']);
    expect(simulate.code).toBe(3);
    const line = JSON.stringify({
      idempotencyKey: 'k',
      eventName: 'call.ended',
      receivedAt: 'x',
      headers: {},
      body: buildCallEnded(),
    });
    const replay = await runCli(['replay', file('unreachable.jsonl', line), ...UNREACHABLE]);
    expect(replay.code).toBe(3);
    expect(replay.stderr).toContain('Could not reach http://127.0.0.1:9');
  });

  it('--dry-run prints the request with the secret masked and exits 0', async () => {
    const run = await runCli(['trigger', 'recording.ready', ...UNREACHABLE, '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('authorization: Bearer ***');
    expect(run.stdout).not.toContain(SECRET);
    expect(JSON.parse(run.stdout.slice(run.stdout.indexOf('{')))).toMatchObject({ event: 'recording.ready' });
  });
});

describe('replay and simulate against a running app', () => {
  const target = runningApp('express');

  /** A line as PathorsDeadLetterService.exportJsonLines() writes it. */
  const deadLetterLine = (body: Record<string, unknown>, eventName: string, webhookId?: string): string =>
    JSON.stringify({
      idempotencyKey: `lifecycle:${eventName}:${String(body.sessionId ?? body.id)}`,
      eventName,
      receivedAt: '2026-11-20T10:00:00.000Z',
      headers: { 'content-type': 'application/json', ...(webhookId ? { 'webhook-id': webhookId } : {}) },
      body,
      deadLetter: {
        id: '17',
        attempts: 5,
        failedReason: 'database unavailable',
        failedAt: '2026-11-20T10:05:00.000Z',
      },
    });

  it('replays a dead-letter export in order, re-signing with the recorded message id (exit 0)', async () => {
    const callEnded = buildCallEnded();
    const created = buildSessionCreated();
    const path = file(
      'dead-letters.jsonl',
      `${deadLetterLine(callEnded, 'call.ended')}\n\n${deadLetterLine(created, 'session.created', 'msg_recorded_1')}\n`,
    );
    const run = await runCli(['replay', path, '--url', target.url, '--signing-secret', SIGNING_SECRET]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^line 1 {2}call\.ended .* 200 /m);
    expect(run.stdout).toMatch(/^line 3 {2}session\.created .* 200 /m);
    expect(run.stdout).toContain('replayed 2 deliveries: 2 x 200');
    expect(target.handlers.calls.map((call) => call.delivery.payload)).toEqual([callEnded, created]);
    expect(target.handlers.calls[1].delivery.deliveryId).toBe('msg_recorded_1');
  });

  it('keeps the recorded message id when replaying with the shared secret only', async () => {
    const created = buildSessionCreated();
    const path = file('shared.jsonl', `${deadLetterLine(created, 'session.created', 'msg_recorded_2')}\n`);
    expect((await runCli(['replay', path, '--url', target.url, '--secret', SECRET])).code).toBe(0);
    expect(target.handlers.calls[0].delivery.deliveryId).toBe('msg_recorded_2');
  });

  it('exits 1 when a replayed delivery is refused, and 2 for a malformed line (sending nothing)', async () => {
    const path = file('one.jsonl', `${deadLetterLine(buildCallEnded(), 'call.ended')}\n`);
    const refused = await runCli([
      'replay',
      path,
      '--url',
      target.url,
      '--signing-secret',
      OTHER_SIGNING_SECRET,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('1 x 401');

    const broken = file(
      'broken.jsonl',
      `${deadLetterLine(buildCallEnded(), 'call.ended')}\n{"eventName": 3}\n`,
    );
    const run = await runCli(['replay', broken, '--url', target.url, '--secret', SECRET]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'broken.jsonl:2: Delivery record field "idempotencyKey" must be a string; nothing was sent',
    );
    expect(target.handlers.calls).toHaveLength(0);
  });

  it('simulate plays whole lifecycles with duplicates and reordering and prints the summary table', async () => {
    const run = await runCli([
      'simulate',
      '--url',
      target.url,
      '--secret',
      SECRET,
      '--sessions',
      '6',
      '--duplicates',
      '--reorder',
    ]);
    expect(run.code).toBe(0);
    // 6 sessions, one of them text (text ratio 0.3): 5 x 4 call events + 1 x 2 text events, each sent twice.
    const rows = Object.fromEntries(
      run.stdout
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s{2,}/))
        .filter((cells) => cells.length === 6)
        .map((cells) => [cells[0], cells]),
    );
    expect(rows['session.ended'][1]).toBe('12');
    expect(rows['call.ended'][1]).toBe('10');
    expect(rows['session.finalized'][1]).toBe('12');
    expect(rows['recording.ready'][1]).toBe('10');
    expect(rows.total[1]).toBe('44');
    expect(rows.total[2]).toMatch(/^200 x\d+/);
    expect(run.stdout.split('\n')[0]).toMatch(/^event\s+sent\s+status codes\s+p50 ms\s+p95 ms\s+p99 ms$/);
    expect(run.stdout).toContain('6 sessions (lifecycle, duplicates, reordered)');
    // Every event reached its handler; duplicates were answered without running the handlers again.
    expect(target.handlers.calls.length).toBe(22);
    const recordings = target.handlers.calls.filter((call) => call.event instanceof RecordingReadyEvent);
    expect(recordings).toHaveLength(5);
  });

  it('simulate exits 1 and shows the refusals when the credentials are wrong', async () => {
    const run = await runCli(['simulate', '--url', target.url, '--secret', 'wrong', '--sessions', '2']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^total\s+8\s+401 x8/m);
  });
});

describe('verify (the binary; every step is covered in verify-captured-request.spec.ts)', () => {
  const body = JSON.stringify(buildSessionCreated());
  const nowSeconds = Math.floor(Date.now() / 1000);
  const signedCapture = (timestamp = nowSeconds): string =>
    JSON.stringify({
      headers: {
        'Content-Type': 'application/json',
        ...standardWebhookHeaders(SIGNING_SECRET, body, { timestamp }),
      },
      body,
    });

  it('exits 0 for a capture that authenticates', async () => {
    const run = await runCli([
      'verify',
      file('ok.json', signedCapture()),
      '--signing-secret',
      SIGNING_SECRET,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('Standard Webhooks signature: ok\nauthentic\n');
  });

  it('exits 4 naming the failing step, and checks an old capture as of --now', async () => {
    const old = file('old.json', signedCapture(nowSeconds - 3600));
    const run = await runCli(['verify', old, '--signing-secret', SIGNING_SECRET]);
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(
      /^Standard Webhooks signature: timestamp-outside-tolerance: signed at .*, 36\d\d s before now/m,
    );
    expect(run.stdout.trimEnd().endsWith('not authentic')).toBe(true);
    const asOf = await runCli([
      'verify',
      old,
      '--signing-secret',
      SIGNING_SECRET,
      '--now',
      String(nowSeconds - 3590),
    ]);
    expect(asOf.code).toBe(0);
  });

  it('exits 2 for an unreadable or malformed capture and for a malformed signing secret', async () => {
    expect((await runCli(['verify', join(workDir, 'absent.json'), '--secret', SECRET])).code).toBe(2);
    const garbage = await runCli(['verify', file('garbage.txt', 'hello'), '--secret', SECRET]);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain('neither JSON');
    const badSecret = await runCli([
      'verify',
      file('ok2.json', signedCapture()),
      '--signing-secret',
      'not-whsec',
    ]);
    expect(badSecret.code).toBe(2);
    expect(badSecret.stderr).toContain('--signing-secret must start with "whsec_"');
  });
});
