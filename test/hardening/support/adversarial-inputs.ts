import fc from 'fast-check';
import {
  buildCallEnded,
  buildCallSessionFinalized,
  buildKnowledgeStoreUpdated,
  buildMessageAdded,
  buildPlatformSessionEnded,
  buildRecordingReady,
  buildSessionCreated,
  buildSessionEnded,
  buildSessionStarted,
  buildSessionUpdated,
  buildSubscriptionUpdated,
  buildTextSessionFinalized,
  buildUsageUpdated,
  type PathorsPayload,
} from 'nestjs-pathors/testing';
import { createHmac } from 'node:crypto';
import type { RawHeaders } from './raw-request.js';

/** One adversarial request: exact header values and exact body bytes. */
export interface AdversarialCase {
  readonly headers: RawHeaders;
  readonly body: Buffer;
}

/** A key that marks pollution: if it ever shows up on `Object.prototype`, a payload polluted it. */
export const POLLUTION_MARKER = 'pathorsPolluted';

/** Every valid event of both dialects, built by the library's own builders. */
const VALID_BUILDERS: ReadonlyArray<() => PathorsPayload> = [
  buildSessionEnded,
  buildCallEnded,
  buildCallSessionFinalized,
  buildTextSessionFinalized,
  buildRecordingReady,
  buildSessionStarted,
  buildSessionCreated,
  buildPlatformSessionEnded,
  buildSessionUpdated,
  buildMessageAdded,
  buildUsageUpdated,
  buildSubscriptionUpdated,
  buildKnowledgeStoreUpdated,
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonContainer = Json[] | { [key: string]: Json };

/** A valid payload of any event, in either dialect. */
export const validPayload = (): fc.Arbitrary<PathorsPayload> =>
  fc.integer({ min: 0, max: VALID_BUILDERS.length - 1 }).map((index) => VALID_BUILDERS[index]());

/** Values of every JSON type, including the edges validators get wrong. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    ' ',
    'x',
  ),
  fc.constantFrom<Json>(
    '2026-13-45T99:99:99Z',
    'yesterday',
    '0',
    'NaN',
    'Infinity',
    'USERHANGUP',
    'userhangup',
  ),
  fc.constantFrom<Json>([], {}, [null], { '': null }, [[[]]]),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Every container (object or array) of a JSON value, the root first. */
function containersOf(root: Json): JsonContainer[] {
  const found: JsonContainer[] = [];
  const visit = (value: Json): void => {
    if (typeof value !== 'object' || value === null) return;
    found.push(value);
    for (const child of Object.values(value)) visit(child);
  };
  visit(root);
  return found;
}

/**
 * Sets an own, enumerable property even when its name is `__proto__` (plain assignment would set the prototype), to a
 * fresh copy of `value`: generated constants are shared between cases, and a shared object could end up inside itself.
 */
function defineField(target: JsonContainer, key: string, value: Json): void {
  const copy =
    typeof value === 'object' && value !== null ? (JSON.parse(JSON.stringify(value)) as Json) : value;
  Object.defineProperty(target, key, { value: copy, enumerable: true, writable: true, configurable: true });
}

type Mutation = (payload: Json) => void;

const pick = <T>(items: readonly T[], index: number): T => items[index % items.length];

/** Type flips, missing and extra fields, discriminator swaps and dangerous keys, at any depth of the payload. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat(), hostileValue).map(([where, which, value]): Mutation => (payload) => {
    const target = pick(containersOf(payload), where);
    const keys = Object.keys(target);
    if (keys.length > 0) defineField(target, pick(keys, which), value);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([where, which]): Mutation => (payload) => {
    const target = pick(containersOf(payload), where);
    const keys = Object.keys(target);
    if (keys.length === 0) return;
    if (Array.isArray(target)) target.splice(Number(pick(keys, which)), 1);
    else delete target[pick(keys, which)];
  }),
  fc
    .tuple(fc.nat(), fc.string({ maxLength: 12 }), hostileValue)
    .map(([where, key, value]): Mutation => (payload) => {
      const target = pick(containersOf(payload), where);
      if (!Array.isArray(target)) defineField(target, key, value);
    }),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('__proto__', 'constructor', 'prototype'),
      // As JSON text: JSON.parse makes `__proto__` an own key, where an object literal would set the prototype.
      fc.constantFrom(
        `{"${POLLUTION_MARKER}":true}`,
        `{"prototype":{"${POLLUTION_MARKER}":true}}`,
        `{"__proto__":{"${POLLUTION_MARKER}":true}}`,
        '"string"',
        'null',
      ),
    )
    .map(([where, key, valueText]): Mutation => (payload) => {
      const target = pick(containersOf(payload), where);
      if (!Array.isArray(target)) defineField(target, key, JSON.parse(valueText) as Json);
    }),
  fc.constantFrom<Mutation>(
    (payload) => {
      const root = payload as Record<string, Json>;
      if ('event' in root) defineField(root, 'eventType', root.event);
      else defineField(root, 'event', root.eventType);
    },
    (payload) => {
      const root = payload as Record<string, Json>;
      if ('event' in root) {
        defineField(root, 'eventType', root.event);
        delete root.event;
      } else {
        defineField(root, 'event', root.eventType);
        delete root.eventType;
      }
    },
  ),
);

/** A valid event of either dialect with 1 to 4 structural mutations, as JSON text. */
export const mutatedEventBody: fc.Arbitrary<Buffer> = fc
  .tuple(validPayload(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([payload, mutations]) => {
    const json = structuredClone(payload) as Json;
    for (const mutate of mutations) mutate(json);
    return Buffer.from(JSON.stringify(json));
  });

/**
 * Any JSON value (objects, arrays, scalars, unicode strings), or a random object with a random discriminator (which
 * takes the unknown-event path to catch-all handlers), as JSON text.
 */
export const randomJsonBody: fc.Arbitrary<Buffer> = fc
  .oneof(
    fc.jsonValue({ maxDepth: 6 }),
    fc
      .tuple(
        fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }),
        fc.constantFrom('event', 'eventType'),
        fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 1 })),
      )
      .map(([fields, discriminator, name]) => ({ ...fields, [discriminator]: name })),
  )
  .map((value) => Buffer.from(JSON.stringify(value) ?? 'null'));

const nested = (depth: number, open: string, close: string, inner = '1'): string =>
  open.repeat(depth) + inner + close.repeat(depth);

const ONE_MIB = 1024 * 1024;

/** Raw-text fields spliced into a valid event: what JSON.stringify can never produce, and sizes at the limits. */
const hostileField: fc.Arbitrary<string> = fc.oneof(
  fc
    .constantFrom(10_000, 1_000, 33)
    .chain((depth) =>
      fc.constantFrom(`"deep":${nested(depth, '[', ']')}`, `"deep":${nested(depth, '{"a":', '}')}`),
    ),
  {
    // Weighted up so that every run reaches the body limit several times.
    weight: 3,
    arbitrary: fc
      .constantFrom(ONE_MIB - 512, ONE_MIB, ONE_MIB + 1, 64 * 1024)
      .map((size) => `"big":"${'x'.repeat(size)}"`),
  },
  fc.constant(`"many":[${Array.from({ length: 50_000 }, () => '0').join(',')}]`),
  fc
    .constantFrom(
      '1e309',
      '-1e309',
      '123456789012345678901234567890',
      '1e-400',
      '-0',
      '1.7976931348623157e308',
    )
    .chain((number) =>
      fc.constantFrom(`"messagesCount":${number}`, `"callDuration":${number}`, `"score":${number}`),
    ),
  fc.constantFrom(
    '"messagesCount":NaN',
    '"callDuration":Infinity',
    '"x":0x10',
    '"x":undefined',
    '"x":\'single\'',
  ),
  fc.constantFrom(
    `"__proto__":{"${POLLUTION_MARKER}":true}`,
    `"constructor":{"prototype":{"${POLLUTION_MARKER}":true}}`,
    `"extractedVariables":{"__proto__":{"${POLLUTION_MARKER}":true}}`,
    `"metadata":{"constructor":{"prototype":{"${POLLUTION_MARKER}":true}}}`,
  ),
  // Duplicate keys: the parser keeps the last one; whatever it keeps must still be validated.
  fc.constantFrom(
    '"event":"call.ended"',
    '"eventType":"session.created"',
    '"event":{"toString":1}',
    '"sessionId":null',
    '"timestamp":"not a date"',
    '"id":""',
  ),
);

/** Byte sequences that are not UTF-8: lone continuation, truncated sequence, surrogate, overlong, 0xFF. */
const invalidUtf8 = fc.constantFrom(
  Buffer.from([0x80]),
  Buffer.from([0xc3]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
);

/**
 * A valid event turned hostile at the byte level: a raw field spliced in at the start or end of the object (the
 * start makes a duplicate key lose, the end makes it win), invalid UTF-8 inside a string or between tokens, a BOM,
 * truncation, or trailing garbage.
 */
export const hostileEventBody: fc.Arbitrary<Buffer> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.tuple(validPayload(), hostileField, fc.boolean()).map(([payload, field, atStart]) => {
      const text = JSON.stringify(payload);
      return Buffer.from(atStart ? `{${field},${text.slice(1)}` : `${text.slice(0, -1)},${field}}`);
    }),
  },
  fc.tuple(validPayload(), invalidUtf8, fc.nat()).map(([payload, bytes, where]) => {
    const text = Buffer.from(JSON.stringify(payload));
    const quotes = [...text.keys()].filter((index) => text[index] === 0x22);
    const at = pick(quotes, where) + 1;
    return Buffer.concat([text.subarray(0, at), bytes, text.subarray(at)]);
  }),
  fc
    .tuple(validPayload(), invalidUtf8)
    .map(([payload, bytes]) => Buffer.concat([bytes, Buffer.from(JSON.stringify(payload))])),
  validPayload().map((payload) =>
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(payload))]),
  ),
  fc.tuple(validPayload(), fc.nat()).map(([payload, cut]) => {
    const text = JSON.stringify(payload);
    return Buffer.from(text.slice(0, cut % text.length));
  }),
  fc
    .tuple(validPayload(), fc.constantFrom('x', '}', ',{}', '\u0000', ' {"a":1}'))
    .map(([payload, tail]) => Buffer.from(JSON.stringify(payload) + tail)),
  fc.constantFrom('', ' ', 'null', '""', '0', '[]', '{}', 'true').map((text) => Buffer.from(text)),
);

const RESERVED_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'host',
  'connection',
  'expect',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'content-type',
  'authorization',
]);

/** Header names that are valid tokens, and values of visible ASCII; framing headers are left alone. */
const randomHeaders: fc.Arbitrary<RawHeaders> = fc
  .dictionary(
    fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/),
      fc.constantFrom(
        'webhook-id',
        'webhook-signature',
        'webhook-timestamp',
        'svix-id',
        'svix-signature',
        'x-forwarded-for',
      ),
    ),
    fc.oneof(
      fc.stringMatching(/^[\x21-\x7e]{0,64}$/),
      fc.array(fc.stringMatching(/^[\x21-\x7e]{1,16}$/), { maxLength: 3 }),
    ),
    { maxKeys: 6 },
  )
  .map((headers) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !RESERVED_HEADERS.has(name))),
  );

/** Content types a sender might use: JSON spelled many ways, other types, broken values, or none at all. */
const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json;charset=UTF-8',
      'application/vnd.pathors+json',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/jsonx',
      '',
      ';',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/) },
);

/** The authentication a case carries: the right secret, none, a wrong one, or the header sent several times. */
const authorization = (secret: string): fc.Arbitrary<string | string[] | undefined> =>
  fc.constantFrom<string | string[] | undefined>(
    `Bearer ${secret}`,
    `bearer ${secret}`,
    undefined,
    '',
    'Bearer',
    `Bearer ${secret}x`,
    `Basic ${Buffer.from(`user:${secret}`).toString('base64')}`,
    [`Bearer ${secret}`, 'Bearer wrong'],
    ['Bearer wrong', `Bearer ${secret}`],
  );

/**
 * A request carrying a valid Standard Webhooks signature of its exact bytes (HMAC-SHA256 of `id.timestamp.body`, computed
 * here, not by the library under test): hostile bodies that pass authentication. The `standardwebhooks` package cannot
 * sign these: it signs `${body}`, a lossy UTF-8 decoding, so invalid UTF-8 would arrive "tampered".
 */
export const signed = (signingSecret: string, body: fc.Arbitrary<Buffer>): fc.Arbitrary<AdversarialCase> => {
  const key = Buffer.from(signingSecret.replace(/^whsec_/, ''), 'base64');
  return fc.tuple(body, fc.uuid(), fc.constantFrom('webhook', 'svix')).map(([bytes, uuid, prefix]) => {
    const id = `msg_${uuid}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(bytes).digest('base64');
    return {
      body: bytes,
      headers: {
        'content-type': 'application/json',
        [`${prefix}-id`]: id,
        [`${prefix}-timestamp`]: timestamp,
        [`${prefix}-signature`]: `v1,${mac}`,
      },
    };
  });
};

/** A request authenticated with `secret`, with a JSON content type and the given body. */
export const authenticated = (secret: string, body: fc.Arbitrary<Buffer>): fc.Arbitrary<AdversarialCase> =>
  body.map((bytes) => ({
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: bytes,
  }));

/** Random content types, random extra headers and every flavour of credential, around valid or random bodies. */
export const transportCase = (secret: string): fc.Arbitrary<AdversarialCase> =>
  fc
    .record({
      body: fc.oneof(
        validPayload().map((payload) => Buffer.from(JSON.stringify(payload))),
        mutatedEventBody,
        randomJsonBody,
      ),
      type: contentType,
      auth: authorization(secret),
      extra: randomHeaders,
    })
    .map(({ body, type, auth, extra }) => ({
      body,
      headers: {
        ...extra,
        ...(type === undefined ? {} : { 'content-type': type }),
        ...(auth === undefined ? {} : { authorization: auth }),
      },
    }));
