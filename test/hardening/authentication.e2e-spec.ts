import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { PathorsModuleOptions } from 'nestjs-pathors';
import { buildCallEnded, buildSessionCreated } from 'nestjs-pathors/testing';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { ADAPTERS, createWebhookApp, type AdapterName, type WebhookApp } from '../support/webhook-app.js';
import { postRaw, type RawHeaders, type RawResponse } from './support/raw-request.js';
import { RevalidatingHandler } from './support/revalidating.handler.js';

const PATH = '/pathors/webhooks';
const OLD_SECRET = 'old-secret-3c9e1f0a7b2d4e6f';
const NEW_SECRET = 'new-secret-8a1b2c3d4e5f6a7b';
const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OTHER_SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const JSON_TYPE = { 'content-type': 'application/json' };

/** A real app on an ephemeral port with a re-validating catch-all handler. */
function useApp(adapter: AdapterName, pathors: PathorsModuleOptions, rawBody = false) {
  const state = {} as { harness: WebhookApp; handler: RevalidatingHandler; port: number };
  beforeAll(async () => {
    state.harness = await createWebhookApp({ adapter, pathors, rawBody, providers: [RevalidatingHandler] });
    await state.harness.app.listen(0, '127.0.0.1');
    state.port = (state.harness.server.address() as AddressInfo).port;
    state.handler = state.harness.get(RevalidatingHandler);
  });
  beforeEach(() => {
    state.handler.calls.length = 0;
  });
  afterAll(() => state.harness.app.close());

  /** POSTs `body` (exact text) and checks the contract that binds status and handler calls. */
  const post = async (
    headers: RawHeaders,
    body: string = JSON.stringify(buildCallEnded()),
  ): Promise<RawResponse> => {
    const before = state.handler.calls.length;
    const response = await postRaw(state.port, PATH, { ...JSON_TYPE, ...headers }, Buffer.from(body), 5_000);
    // Handlers run for a 200, except for a duplicate, which was handled the first time.
    const handled = response.status === 200 && !response.body.includes('duplicate');
    expect(state.handler.calls.length - before).toBe(handled ? 1 : 0);
    for (const secret of [OLD_SECRET, NEW_SECRET, SIGNING_SECRET])
      expect(response.body).not.toContain(secret);
    return response;
  };
  return post;
}

/** Standard Webhooks headers made by the reference implementation (the `standardwebhooks` npm package). */
function signed(
  body: string,
  {
    secret = SIGNING_SECRET,
    at = new Date(),
    id = `msg_${randomBytes(8).toString('hex')}`,
    prefix = 'webhook',
  } = {},
): Record<string, string> {
  return {
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${prefix}-signature`]: new Webhook(secret).sign(id, at, body),
  };
}

const secondsFromNow = (seconds: number): Date => new Date(Date.now() + seconds * 1000);

describe.each(ADAPTERS)('authentication on %s', (adapter) => {
  describe('shared secret in Authorization, two secrets during a rotation', () => {
    const post = useApp(adapter, { webhook: { secret: [OLD_SECRET, NEW_SECRET] } });

    it.each<[string, RawHeaders]>([
      ['the old secret', { authorization: `Bearer ${OLD_SECRET}` }],
      ['the new secret', { authorization: `Bearer ${NEW_SECRET}` }],
      ['the scheme in lower case', { authorization: `bearer ${NEW_SECRET}` }],
      ['the scheme in upper case', { authorization: `BEARER ${NEW_SECRET}` }],
      ['the header name in odd case', { AuThOrIzAtIoN: `Bearer ${NEW_SECRET}` }],
      [
        'several Authorization headers, the first one valid (Node keeps only the first)',
        { authorization: [`Bearer ${NEW_SECRET}`, 'Bearer nope'] },
      ],
    ])('200 with %s', async (_case, headers) => {
      expect((await post(headers)).status).toBe(200);
    });

    it.each<[string, RawHeaders]>([
      ['no credential', {}],
      [
        'a wrong secret of equal length',
        { authorization: `Bearer ${NEW_SECRET.slice(0, -1)}${NEW_SECRET.endsWith('x') ? 'y' : 'x'}` },
      ],
      ['a prefix of the secret', { authorization: `Bearer ${NEW_SECRET.slice(0, 12)}` }],
      ['the secret followed by more characters', { authorization: `Bearer ${NEW_SECRET}0` }],
      ['both secrets glued together', { authorization: `Bearer ${OLD_SECRET}${NEW_SECRET}` }],
      ['the secret in a different case', { authorization: `Bearer ${NEW_SECRET.toUpperCase()}` }],
      ['the secret without a scheme', { authorization: NEW_SECRET }],
      ['the secret with another scheme', { authorization: `Token ${NEW_SECRET}` }],
      [
        'the secret as Basic credentials',
        { authorization: `Basic ${Buffer.from(`pathors:${NEW_SECRET}`).toString('base64')}` },
      ],
      ['two tokens after Bearer', { authorization: `Bearer ${NEW_SECRET} ${NEW_SECRET}` }],
      ['an empty Bearer', { authorization: 'Bearer ' }],
      ['the secret in another header', { 'x-pathors-secret': NEW_SECRET }],
      [
        'several Authorization headers, only a later one valid',
        { authorization: ['Bearer nope', `Bearer ${NEW_SECRET}`] },
      ],
      ['Standard Webhooks headers instead of the secret (no signing secret configured)', signed('{}')],
    ])('401 with %s', async (_case, headers) => {
      const response = await post(headers);
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body)).toEqual(expect.objectContaining({ statusCode: 401 }));
    });

    it('401 for any other token: random ones and near misses of the real secret (property)', async () => {
      const visible = /^[\x21-\x7e]{0,48}$/;
      const nearMiss = fc.oneof(
        fc.stringMatching(visible),
        fc
          .tuple(fc.nat({ max: NEW_SECRET.length - 1 }), fc.stringMatching(/^[\x21-\x7e]$/))
          .map(([at, char]) => NEW_SECRET.slice(0, at) + char + NEW_SECRET.slice(at + 1)),
        fc.nat({ max: NEW_SECRET.length - 1 }).map((length) => NEW_SECRET.slice(0, length)),
        fc.stringMatching(/^[\x21-\x7e]{1,8}$/).map((tail) => NEW_SECRET + tail),
      );
      let tried = 0;
      await fc.assert(
        fc.asyncProperty(
          nearMiss.filter((token) => token !== NEW_SECRET && token !== OLD_SECRET),
          async (token) => {
            tried += 1;
            expect((await post({ authorization: `Bearer ${token}` })).status).toBe(401);
          },
        ),
        { numRuns: 200 },
      );
      console.info(`[${adapter}] wrong tokens: ${tried} cases`);
    });

    it('401 before validation: an invalid body with a wrong secret says nothing about the body', async () => {
      const response = await post({ authorization: 'Bearer nope' }, '{"event": 42}');
      expect(response.status).toBe(401);
      expect(response.body).not.toMatch(/event|issues/);
    });
  });

  describe('shared secret in Authorization, a rotation of three: one long, one with accented letters', () => {
    const LONG_SECRET = `long-${randomBytes(96).toString('hex')}`;
    // Header values travel as latin1 bytes: letters up to U+00FF can be sent as they are.
    const ACCENTED_SECRET = 'clé-secrète-Ünïcödé-42';
    const post = useApp(adapter, { webhook: { secret: [OLD_SECRET, LONG_SECRET, ACCENTED_SECRET] } });

    it.each([
      ['the first secret', OLD_SECRET],
      ['the long secret', LONG_SECRET],
      ['the secret with accented letters', ACCENTED_SECRET],
    ])('200 with %s', async (_case, secret) => {
      expect((await post({ authorization: `Bearer ${secret}` })).status).toBe(200);
    });

    it.each([
      ['the long secret less its last character', LONG_SECRET.slice(0, -1)],
      ['the long secret and one more character', `${LONG_SECRET}0`],
      ['the long secret with its last character changed', `${LONG_SECRET.slice(0, -1)}-`],
      ['the accented secret without its accents', 'cle-secrete-Unicode-42'],
      ['the accented secret in upper case', ACCENTED_SECRET.toUpperCase()],
      ['the UTF-8 bytes of the accented secret', Buffer.from(ACCENTED_SECRET).toString('latin1')],
      ['two secrets glued together', `${OLD_SECRET}${LONG_SECRET}`],
    ])('401 with %s', async (_case, token) => {
      expect((await post({ authorization: `Bearer ${token}` })).status).toBe(401);
    });
  });

  describe('shared secret in a custom header', () => {
    const post = useApp(adapter, { webhook: { secret: NEW_SECRET, secretHeader: 'X-Pathors-Secret' } });

    it.each<[string, RawHeaders]>([
      ['the secret as the bare header value', { 'x-pathors-secret': NEW_SECRET }],
      ['the header name in another case', { 'X-PATHORS-SECRET': NEW_SECRET }],
    ])('200 with %s', async (_case, headers) => {
      expect((await post(headers)).status).toBe(200);
    });

    it.each<[string, RawHeaders]>([
      ['the secret in Authorization instead', { authorization: `Bearer ${NEW_SECRET}` }],
      ['a Bearer scheme in the custom header', { 'x-pathors-secret': `Bearer ${NEW_SECRET}` }],
      ['a prefix of the secret', { 'x-pathors-secret': NEW_SECRET.slice(0, -1) }],
      ['an empty header', { 'x-pathors-secret': '' }],
    ])('401 with %s', async (_case, headers) => {
      expect((await post(headers)).status).toBe(401);
    });
  });

  describe('Standard Webhooks signatures (app created with rawBody: true)', () => {
    const post = useApp(adapter, { webhook: { signingSecret: SIGNING_SECRET } }, true);
    const body = JSON.stringify(buildSessionCreated());

    it.each<[string, () => RawHeaders]>([
      ['webhook-* headers signed by the standardwebhooks package', () => signed(body)],
      ['svix-* headers signed by the standardwebhooks package', () => signed(body, { prefix: 'svix' })],
      [
        'a timestamp 4 minutes old (inside the 5-minute tolerance)',
        () => signed(body, { at: secondsFromNow(-240) }),
      ],
      ['a timestamp 1 minute ahead (clock skew)', () => signed(body, { at: secondsFromNow(60) })],
      [
        'several signatures, one of them valid',
        () => {
          const headers = signed(body);
          const foreign = signed(body, { secret: OTHER_SIGNING_SECRET, id: headers['webhook-id'] })[
            'webhook-signature'
          ];
          return {
            ...headers,
            'webhook-signature': `v1,AAAA ${foreign} ${headers['webhook-signature']} v2,xyz`,
          };
        },
      ],
    ])('200 with %s', async (_case, headers) => {
      const response = await post(headers(), body);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ received: true });
    });

    it('runs the handlers once for a replay inside the tolerance: the same message id is a duplicate', async () => {
      const headers = signed(body);
      expect((await post(headers, body)).status).toBe(200);
      const replay = await post(headers, body);
      expect(replay.status).toBe(200);
      expect(JSON.parse(replay.body)).toEqual({ received: true, note: 'duplicate: already processed' });
    });

    it('runs the handlers once for a svix-signed replay that adds an unsigned webhook-id of its own', async () => {
      const headers = signed(body, { prefix: 'svix' });
      expect((await post(headers, body)).status).toBe(200);
      const replay = await post({ ...headers, 'webhook-id': 'msg_chosen_by_the_replayer' }, body);
      expect(replay.status).toBe(200);
      expect(JSON.parse(replay.body)).toEqual({ received: true, note: 'duplicate: already processed' });
    });

    it.each<[string, () => [RawHeaders, string?]]>([
      ['no signature at all', () => [{}]],
      ['a signature from another secret', () => [signed(body, { secret: OTHER_SIGNING_SECRET })]],
      ['a tampered body', () => [signed(body), body.replace('VOICE', 'CHAT')]],
      [
        'the same JSON re-serialised with other whitespace',
        () => [signed(body), JSON.stringify(JSON.parse(body), null, 2)],
      ],
      [
        'a replay 6 minutes later (outside the tolerance)',
        () => [signed(body, { at: secondsFromNow(-360) })],
      ],
      ['a timestamp 6 minutes in the future', () => [signed(body, { at: secondsFromNow(360) })]],
      ['a message id that is not the signed one', () => [{ ...signed(body), 'webhook-id': 'msg_other' }]],
      [
        'a timestamp that is not the signed one',
        () => [{ ...signed(body), 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 1) }],
      ],
      ['a non-numeric timestamp', () => [{ ...signed(body), 'webhook-timestamp': 'now' }]],
      ['a missing message id', () => [{ ...signed(body), 'webhook-id': '' }]],
      [
        'only signatures from other secrets',
        () => [{ ...signed(body), 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} v1,` }],
      ],
      [
        'the signature under an unknown version',
        () => [
          { ...signed(body), 'webhook-signature': signed(body)['webhook-signature'].replace('v1,', 'v2,') },
        ],
      ],
      [
        'the signing secret itself as the signature',
        () => [{ ...signed(body), 'webhook-signature': `v1,${SIGNING_SECRET.slice(6)}` }],
      ],
      [
        'a shared-secret header instead of a signature',
        () => [{ authorization: `Bearer ${SIGNING_SECRET}` }],
      ],
      [
        'svix-* signed by another secret while webhook-* is absent',
        () => [signed(body, { prefix: 'svix', secret: OTHER_SIGNING_SECRET })],
      ],
    ])('401 with %s', async (_case, make) => {
      const [headers, sent = body] = make();
      expect((await post(headers, sent)).status).toBe(401);
    });
  });
});
