import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { buildCallEnded } from 'nestjs-pathors/testing';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ADAPTERS, createWebhookApp, type WebhookApp } from '../support/webhook-app.js';
import {
  POLLUTION_MARKER,
  authenticated,
  hostileEventBody,
  mutatedEventBody,
  randomJsonBody,
  transportCase,
  type AdversarialCase,
} from './support/adversarial-inputs.js';
import { postRaw } from './support/raw-request.js';
import { RevalidatingHandler } from './support/revalidating.handler.js';

const SECRET = 'hardening-secret-7d41c0e2';
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

describe.each(ADAPTERS)('adversarial input on %s', (adapter) => {
  let harness: WebhookApp;
  let handler: RevalidatingHandler;
  let port: number;
  let cleanPrototypes: string;

  beforeAll(async () => {
    harness = await createWebhookApp({
      adapter,
      pathors: { webhook: { secret: SECRET } },
      providers: [RevalidatingHandler],
    });
    await harness.app.listen(0, '127.0.0.1');
    port = (harness.server.address() as AddressInfo).port;
    handler = harness.get(RevalidatingHandler);
    cleanPrototypes = prototypeFingerprint();
  });
  afterAll(async () => {
    await harness.app.close();
  });

  /**
   * Sends one case and checks every invariant; a crash or an unhandled rejection needs no check of its own: Jest fails
   * the running test when one reaches the process (Jest's `process` is a sandbox copy, so a listener here would
   * never hear it). A failure makes fast-check shrink to the smallest counterexample.
   */
  async function checkInvariants(input: AdversarialCase): Promise<number> {
    handler.calls.length = 0;
    const response = await postRaw(port, PATH, input.headers, input.body, MAX_RESPONSE_MS * 2);

    if (!ALLOWED_STATUSES.includes(response.status)) {
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
    expect(response.body).not.toContain(SECRET);
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
    name: string,
    cases: fc.Arbitrary<AdversarialCase>,
    mustReach: readonly number[],
  ): Promise<void> {
    let tried = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(cases, async (input) => {
        tried += 1;
        const status = await checkInvariants(input);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    const answered = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
    console.info(`[${adapter}] ${name}: ${tried} cases (${answered.join(', ')})`);
    expect(tried).toBeGreaterThanOrEqual(RUNS);
    for (const status of mustReach) expect([...statuses.keys()]).toContain(status);

    handler.calls.length = 0;
    const healthy = await postRaw(
      port,
      PATH,
      { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      Buffer.from(JSON.stringify(buildCallEnded())),
      MAX_RESPONSE_MS,
    );
    expect(healthy.status).toBe(200);
    expect(handler.calls).toHaveLength(1);
  }

  it('random JSON values', () =>
    runProperty('random JSON', authenticated(SECRET, randomJsonBody), [202, 400]));

  it('valid events of both dialects with type flips, missing, extra and dangerous fields', () =>
    runProperty('mutated events', authenticated(SECRET, mutatedEventBody), [200, 202, 400]));

  it('hostile bytes: 10,000-deep nesting, 1 MiB strings, odd numbers, invalid UTF-8, duplicate keys, proto keys', () =>
    runProperty('hostile bodies', authenticated(SECRET, hostileEventBody), [200, 400, 413]));

  it('random content types, random headers and every kind of credential', () =>
    runProperty('transport and headers', transportCase(SECRET), [200, 400, 401, 415]));
});
