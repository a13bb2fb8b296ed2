import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSessionCreated, sharedSecretHeaders, standardWebhookHeaders } from 'nestjs-pathors/testing';
import { readCapturedRequest, type CapturedRequest } from '../../libs/pathors/src/cli/captured-request.js';
import { verifyCapturedRequest, type VerifyCredentials } from '../../libs/pathors/src/cli/verify.command.js';

const SECRET = 'verify-secret-0123456789';
const SIGNING_SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const OTHER_SIGNING_SECRET = `whsec_${Buffer.alloc(32, 6).toString('base64')}`;
const NOW_MS = Date.UTC(2026, 10, 20, 10, 0, 0);
const NOW_S = NOW_MS / 1000;
const body = JSON.stringify(buildSessionCreated());

const credentials = (overrides: Partial<VerifyCredentials> = {}): VerifyCredentials => ({
  secretHeader: 'authorization',
  toleranceSeconds: 300,
  ...overrides,
});
const signed = (options: { body?: string; timestamp?: number; secret?: string } = {}): CapturedRequest => ({
  headers: {
    'content-type': 'application/json',
    ...standardWebhookHeaders(options.secret ?? SIGNING_SECRET, body, {
      timestamp: options.timestamp ?? NOW_S,
    }),
  },
  body: Buffer.from(options.body ?? body),
  bodyReserialized: false,
});
const withSecret = (headers: Record<string, string>): CapturedRequest => ({
  headers,
  body: Buffer.from(body),
  bodyReserialized: false,
});
const verdictOf = (request: CapturedRequest, creds: Partial<VerifyCredentials>) =>
  verifyCapturedRequest(request, credentials(creds), NOW_MS).mechanisms.map(({ step, detail }) => ({
    step,
    detail,
  }));

describe('verifyCapturedRequest: the step at which a captured request fails', () => {
  const signature = { signingSecret: SIGNING_SECRET };

  it('accepts a correct signature and a correct shared secret', () => {
    expect(verifyCapturedRequest(signed(), credentials(signature), NOW_MS).authentic).toBe(true);
    expect(
      verifyCapturedRequest(withSecret(sharedSecretHeaders(SECRET)), credentials({ secret: SECRET }), NOW_MS)
        .authentic,
    ).toBe(true);
  });

  it('header missing: names every missing signature header', () => {
    const request = { ...signed(), headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' } };
    expect(verdictOf(request, signature)).toEqual([
      {
        step: 'header-missing',
        detail: 'missing webhook-timestamp, webhook-signature (or their svix-* equivalents)',
      },
    ]);
    expect(verdictOf(withSecret({}), { secret: SECRET })).toEqual([
      { step: 'header-missing', detail: 'no "authorization" header' },
    ]);
  });

  it('secret mismatch: another secret, or the Bearer scheme missing', () => {
    expect(verdictOf(withSecret(sharedSecretHeaders('other-secret')), { secret: SECRET })[0]).toEqual({
      step: 'secret-mismatch',
      detail: 'the "authorization" header carries a different secret',
    });
    expect(verdictOf(withSecret({ authorization: SECRET }), { secret: SECRET })[0].detail).toBe(
      'the authorization header is not "Bearer <secret>"',
    );
    expect(
      verdictOf(withSecret({ 'x-pathors-secret': 'nope' }), {
        secret: SECRET,
        secretHeader: 'x-pathors-secret',
      })[0].step,
    ).toBe('secret-mismatch');
  });

  it('timestamp outside tolerance, in the past or the future, with the age', () => {
    const [past] = verdictOf(signed({ timestamp: NOW_S - 3600 }), signature);
    expect(past.step).toBe('timestamp-outside-tolerance');
    expect(past.detail).toContain('signed at 2026-11-20T09:00:00.000Z, 3600 s before now (tolerance 300 s)');
    const [future] = verdictOf(signed({ timestamp: NOW_S + 600 }), signature);
    expect(future.detail).toContain('600 s after now');
    expect(verdictOf(signed({ timestamp: NOW_S - 299 }), signature)[0].step).toBeUndefined();
  });

  it('body changed: a re-serialised or re-indented body is recognised', () => {
    const indented = signed({ body: JSON.stringify(JSON.parse(body), null, 2) });
    expect(verdictOf(indented, signature)[0]).toEqual({
      step: 'body-changed',
      detail:
        'the body was altered after signing (re-serialised as compact JSON matches the signature): verify over the raw bytes',
    });
    expect(verdictOf(signed({ body: `${body}\n` }), signature)[0].step).toBe('body-changed');
  });

  it('signature mismatch: another secret or a changed body cannot be told apart', () => {
    expect(verdictOf(signed(), { signingSecret: OTHER_SIGNING_SECRET })[0]).toEqual({
      step: 'signature-mismatch',
      detail: 'no signature matches: signed with another secret, or the body changed after signing',
    });
    const edited = signed({ body: body.replace('VOICE', 'CHAT') });
    expect(verdictOf(edited, signature)[0].step).toBe('signature-mismatch');
  });

  it('is authentic when either configured mechanism accepts, as the webhook decides', () => {
    const verdict = verifyCapturedRequest(
      signed(),
      credentials({ secret: SECRET, signingSecret: SIGNING_SECRET }),
      NOW_MS,
    );
    expect(verdict.authentic).toBe(true);
    expect(verdict.mechanisms.map((m) => [m.mechanism, m.authentic])).toEqual([
      ['shared secret (authorization)', false],
      ['Standard Webhooks signature', true],
    ]);
  });
});

describe('readCapturedRequest', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pathors-capture-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };

  it('reads a raw HTTP request, keeping the body bytes exact', async () => {
    const raw = `POST /pathors/webhooks HTTP/1.1\r\nHost: x\r\nWebhook-Id: msg_1\r\nContent-Type: application/json\r\n\r\n${body}\n`;
    const request = await readCapturedRequest(write('raw.http', raw));
    expect(request.headers).toEqual({ host: 'x', 'webhook-id': 'msg_1', 'content-type': 'application/json' });
    expect(request.body.toString()).toBe(`${body}\n`);
  });

  it('reads JSON with a body string, base64 bytes, or a parsed body (flagged as re-serialised)', async () => {
    const asText = await readCapturedRequest(write('a.json', JSON.stringify({ headers: { A: '1' }, body })));
    expect([asText.headers, asText.body.toString(), asText.bodyReserialized]).toEqual([
      { a: '1' },
      body,
      false,
    ]);
    const asBase64 = await readCapturedRequest(
      write('b.json', JSON.stringify({ headers: {}, bodyBase64: Buffer.from(body).toString('base64') })),
    );
    expect(asBase64.body.toString()).toBe(body);
    const parsed = await readCapturedRequest(
      write('c.json', JSON.stringify({ headers: {}, body: JSON.parse(body) })),
    );
    expect(parsed.bodyReserialized).toBe(true);
    const [verdict] = verifyCapturedRequest(
      {
        ...parsed,
        headers: { 'webhook-id': 'm', 'webhook-timestamp': String(NOW_S), 'webhook-signature': 'v1,AAAA' },
      },
      credentials({ signingSecret: SIGNING_SECRET }),
      NOW_MS,
    ).mechanisms;
    expect(verdict.detail).toContain('the capture holds the body as JSON, not the exact bytes signed');
  });

  it('refuses a file that is neither, naming the problem', async () => {
    await expect(readCapturedRequest(write('x.txt', 'hello'))).rejects.toThrow('neither JSON');
    await expect(readCapturedRequest(write('y.json', '{"headers": 1}'))).rejects.toThrow(
      '"headers" must be an object',
    );
    await expect(readCapturedRequest(join(dir, 'absent'))).rejects.toThrow('Cannot read');
  });
});
