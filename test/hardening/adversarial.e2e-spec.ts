import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildCallEnded } from 'nestjs-pathors/testing';
import type { PathorsModuleOptions } from 'nestjs-pathors';
import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';
import {
  POLLUTION_MARKER,
  authenticated,
  hostileEventBody,
  mutatedEventBody,
  randomJsonBody,
  signed,
  transportCase,
  type AdversarialCase,
} from './support/adversarial-inputs.js';
import { Webhook } from 'standardwebhooks';
import { postRaw, type RawHeaders } from './support/raw-request.js';
import { RevalidatingHandler } from './support/revalidating.handler.js';

const SECRET = 'hardening-secret-7d41c0e2';
const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const PATH = '/pathors/webhooks';
/** Cases per property; raise it locally with PATHORS_FUZZ_RUNS for a longer hunt. */
const RUNS = Number(process.env.PATHORS_FUZZ_RUNS ?? 300);
/** A generous ceiling, an invariant against hangs and super-linear work, not a benchmark. */
const MAX_RESPONSE_MS = 5_000;
/** What the webhook may answer to anything at all: success, or a deliberate refusal. Never 201, never a 5xx. */
const ALLOWED_STATUSES = [200, 202, 400, 401, 413, 415];

/** Object.prototype of this realm and of Node's own (core modules live outside Jest's VM context), and friends. */
const rootOf = (value: object): object => {
  let proto = Object.getPrototypeOf(value) as object;
  while (Object.getPrototypeOf(proto) !== null) proto = Object.getPrototypeOf(proto) as object;
  return proto;
};
const WATCHED_PROTOTYPES = [
  Object.prototype,
  Array.prototype,
  Function.prototype,
  rootOf(new EventEmitter()),
];
const prototypeFingerprint = (): string =>
  WATCHED_PROTOTYPES.map((proto) => Reflect.ownKeys(proto).map(String).sort().join(',')).join('|');

/** One booted app under attack, and how a valid request to it is authenticated. */
interface Target {
  readonly harness: WebhookApp;
  readonly handler: RevalidatingHandler;
  readonly port: number;
  readonly authenticate: (body: Buffer) => RawHeaders;
  /** What it may answer; an app that only gets correctly signed requests must never answer 401. */
  readonly allowed: readonly number[];
}

describe.each(ADAPTERS)('adversarial input on %s', (adapter) => {
  let sharedSecretApp: Target;
  let signedApp: Target;
  let cleanPrototypes: string;

  async function boot(
    pathors: PathorsModuleOptions,
    rawBody: boolean,
    authenticate: Target['authenticate'],
    allowed: readonly number[],
  ): Promise<Target> {
    const harness = await createWebhookApp({ adapter, pathors, rawBody, providers: [RevalidatingHandler] });
    await harness.app.listen(0, '127.0.0.1');
    const port = (harness.server.address() as AddressInfo).port;
    return { harness, handler: harness.get(RevalidatingHandler), port, authenticate, allowed };
  }

  beforeAll(async () => {
    sharedSecretApp = await boot(
      { webhook: { secret: SECRET } },
      false,
      () => ({ authorization: `Bearer ${SECRET}` }),
      ALLOWED_STATUSES,
    );
    signedApp = await boot(
      { webhook: { signingSecret: SIGNING_SECRET } },
      true,
      (body) => {
        const id = `msg_${randomUUID()}`;
        const now = new Date();
        return {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': new Webhook(SIGNING_SECRET).sign(id, now, body),
        };
      },
      ALLOWED_STATUSES.filter((status) => status !== 401),
    );
    cleanPrototypes = prototypeFingerprint();
  });
  afterAll(async () => {
    await sharedSecretApp.harness.app.close();
    await signedApp.harness.app.close();
  });

  /**
   * Sends one case and checks every invariant; a crash or an unhandled rejection needs no check of its own: Jest fails
   * the running test when one reaches the process (Jest's `process` is a sandbox copy, so a listener here would
   * never hear it). A failure makes fast-check shrink to the smallest counterexample.
   */
  async function checkInvariants(
    { port, handler, allowed }: Target,
    input: AdversarialCase,
  ): Promise<number> {
    handler.calls.length = 0;
    const response = await postRaw(port, PATH, input.headers, input.body, MAX_RESPONSE_MS * 2);

    if (!allowed.includes(response.status)) {
      throw new Error(
        `answered ${response.status} ${response.body} to ${input.body.toString('utf8', 0, 2_000)}`,
      );
    }
    expect(response.elapsedMs).toBeLessThan(MAX_RESPONSE_MS);
    if (response.status < 300) {
      // Accepted: one delivery to the catch-all handler, which must survive re-validation. A mutation can make two
      // cases share an idempotency key (say, sessionId "x"); the second is then a duplicate, answered without a call.
      const { note } = JSON.parse(response.body) as { note?: string };
      expect(handler.calls).toHaveLength(note?.startsWith('duplicate') ? 0 : 1);
      for (const call of handler.calls) expect(call.violations).toEqual([]);
    } else {
      expect(handler.calls).toHaveLength(0);
    }
    for (const secret of [SECRET, SIGNING_SECRET]) expect(response.body).not.toContain(secret);
    expect(response.body).not.toMatch(/\n\s+at /);
    expect(prototypeFingerprint()).toBe(cleanPrototypes);
    expect(({} as Record<string, unknown>)[POLLUTION_MARKER]).toBeUndefined();
    return response.status;
  }

  /**
   * Runs a property for RUNS cases, prints how many ran and what they were answered, checks the generator reached the
   * statuses it is meant to reach (an input family answered only 400 would prove nothing about handlers), then proves
   * the app still serves a valid event.
   */
  async function runProperty(
    target: Target,
    name: string,
    cases: fc.Arbitrary<AdversarialCase>,
    mustReach: readonly number[],
  ): Promise<void> {
    let tried = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(cases, async (input) => {
        tried += 1;
        const status = await checkInvariants(target, input);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    const answered = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
    console.info(`[${adapter}] ${name}: ${tried} cases (${answered.join(', ')})`);
    expect(tried).toBeGreaterThanOrEqual(RUNS);
    for (const status of mustReach) expect([...statuses.keys()]).toContain(status);

    target.handler.calls.length = 0;
    const body = Buffer.from(JSON.stringify(buildCallEnded()));
    const headers = { ...target.authenticate(body), 'content-type': 'application/json' };
    const healthy = await postRaw(target.port, PATH, headers, body, MAX_RESPONSE_MS);
    expect(healthy.status).toBe(200);
    expect(target.handler.calls).toHaveLength(1);
  }

  it('random JSON values', () =>
    runProperty(sharedSecretApp, 'random JSON', authenticated(SECRET, randomJsonBody), [202, 400]));

  it('valid events of both dialects with type flips, missing, extra and dangerous fields', () =>
    runProperty(sharedSecretApp, 'mutated events', authenticated(SECRET, mutatedEventBody), [200, 202, 400]));

  it('hostile bytes: 10,000-deep nesting, 1 MiB strings, odd numbers, invalid UTF-8, duplicate keys, proto keys', () =>
    runProperty(sharedSecretApp, 'hostile bodies', authenticated(SECRET, hostileEventBody), [200, 400, 413]));

  it('random content types, random headers and every kind of credential', () =>
    runProperty(sharedSecretApp, 'transport and headers', transportCase(SECRET), [200, 400, 401, 415]));

  it('hostile and mutated bodies correctly signed, on an app verifying signatures over the raw body', () =>
    runProperty(
      signedApp,
      'signed hostile bodies',
      signed(SIGNING_SECRET, fc.oneof(hostileEventBody, mutatedEventBody)),
      [200, 400, 413],
    ));
});
