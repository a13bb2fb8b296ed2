import { describe, expect, it, jest } from '@jest/globals';
import * as crypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE = join(import.meta.dirname, '../../libs/pathors/src');

/** How many times the helpers called `crypto.timingSafeEqual` and `crypto.hash`. */
const calls = { timingSafeEqual: 0, hash: 0 };
jest.unstable_mockModule('node:crypto', () => ({
  ...crypto,
  timingSafeEqual: (...args: Parameters<typeof crypto.timingSafeEqual>) => {
    calls.timingSafeEqual++;
    return crypto.timingSafeEqual(...args);
  },
  hash: (...args: Parameters<typeof crypto.hash>) => {
    calls.hash++;
    return crypto.hash(...args);
  },
}));
const { ConstantTimeSecrets, constantTimeEqual } =
  await import('../../libs/pathors/src/webhooks/constant-time.js');

describe('constantTimeEqual', () => {
  it.each([
    ['', ''],
    ['s3cret', 's3cret'],
    ['v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=', 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='],
    ['ünïcödé ✓', 'ünïcödé ✓'],
  ])('is true for equal strings (%p)', (a, b) => {
    expect(constantTimeEqual(a, b)).toBe(true);
  });

  it.each([
    ['s3cret', 's3creT', 'same length, last character differs'],
    ['s3cret', 'S3cret', 'same length, first character differs'],
    ['s3cret', 's3cre', 'a prefix'],
    ['s3cret', 's3cret ', 'a trailing space'],
    ['s3cret', '', 'empty against non-empty'],
    ['é', 'e\u0301', 'the same text in another Unicode normalisation'],
    ['a\u0000', 'a', 'a trailing NUL'],
  ])('is false for %p vs %p (%s), and never throws on a length mismatch', (a, b) => {
    expect(constantTimeEqual(a, b)).toBe(false);
    expect(constantTimeEqual(b, a)).toBe(false);
  });
});

describe('ConstantTimeSecrets', () => {
  const secrets = new ConstantTimeSecrets(['old-secret-123', 'new-secret-456']);

  it.each(['old-secret-123', 'new-secret-456'])('matches every secret of a rotation (%p)', (offered) => {
    expect(secrets.matchesAny(offered)).toBe(true);
  });

  it.each([
    ['old-secret-12', 'shorter'],
    ['new-secret-4567', 'longer'],
    ['NEW-secret-456', 'another case'],
    ['', 'empty'],
    ['old-secret-123new-secret-456', 'both secrets glued together'],
    ['new-secret-456 ', 'a trailing space'],
    ['new-secret-456\u0000', 'a trailing NUL'],
  ])('refuses %p (%s)', (offered) => {
    expect(secrets.matchesAny(offered)).toBe(false);
  });

  it('matches long secrets exactly: a value one character longer or shorter, or differing at the end, is refused', () => {
    const long = 'x'.repeat(300) + 'end';
    const longSecrets = new ConstantTimeSecrets(['short', long]);
    expect(longSecrets.matchesAny(long)).toBe(true);
    expect(longSecrets.matchesAny('short')).toBe(true);
    expect(longSecrets.matchesAny('x'.repeat(300) + 'enD')).toBe(false);
    expect(longSecrets.matchesAny(long.slice(0, -1))).toBe(false);
    expect(longSecrets.matchesAny(`${long}d`)).toBe(false);
    expect(longSecrets.matchesAny('short' + 'x'.repeat(300))).toBe(false);
  });

  it('compares Unicode text exactly: no normalisation, and lone surrogates are told apart', () => {
    const unicode = new ConstantTimeSecrets(['ünïcödé ✓ 🔑', 'lone \ud800']);
    expect(unicode.matchesAny('ünïcödé ✓ 🔑')).toBe(true);
    expect(unicode.matchesAny('ünïcödé ✓ 🔒')).toBe(false);
    expect(unicode.matchesAny('u\u0308nïcödé ✓ 🔑')).toBe(false);
    expect(unicode.matchesAny(Buffer.from('ünïcödé ✓ 🔑').toString('latin1'))).toBe(false);
    expect(unicode.matchesAny('lone \ud800')).toBe(true);
    expect(unicode.matchesAny('lone \ud801')).toBe(false);
    expect(unicode.matchesAny('lone \ufffd')).toBe(false);
  });

  it('matches nothing when no secret is configured', () => {
    expect(new ConstantTimeSecrets([]).matchesAny('')).toBe(false);
    expect(new ConstantTimeSecrets([]).matchesAny('anything')).toBe(false);
  });

  it.each([
    ['the first', 'secret-a'],
    ['the last', 'secret-c'],
    ['none', 'wrong'],
  ])(
    'compares the offered value with every secret whichever matches (%s), hashing only the offered value',
    (_which, offered) => {
      const rotation = new ConstantTimeSecrets(['secret-a', 'secret-b', 'secret-c']);
      calls.timingSafeEqual = 0;
      calls.hash = 0;
      rotation.matchesAny(offered);
      expect(calls).toEqual({ timingSafeEqual: 3, hash: 1 });
    },
  );
});

/**
 * The code-review half of the requirement, kept as a check: every place that holds a secret or a signature compares it
 * through `constantTimeEqual` or `ConstantTimeSecrets`, and nothing else in the library (the test kit aside) calls `timingSafeEqual` or
 * compares such values with `===`, `includes` or `indexOf`.
 */
describe('secret comparisons in the library source', () => {
  // testing/ is the test kit (a fake Pathors server among others), which verifies nothing on a user's behalf.
  const files = readdirSync(SOURCE, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.startsWith('testing'))
    .map((file) => ({ file, text: readFileSync(join(SOURCE, file), 'utf8') }));
  const SECRET_WORDS =
    /\b(secret|secrets|offered|expected|candidate|signature|signingKeys?|mac|digest\w*)\b/i;
  const UNSAFE_COMPARISON =
    /(?:[!=]==?|\.includes\(|\.indexOf\(|\.startsWith\(|\.endsWith\(|\.localeCompare\()/;
  // Comparisons with a literal (undefined, a number, a fixed word or prefix) reveal nothing about a secret.
  const HARMLESS =
    /[!=]==?\s*(?:undefined|null|\d+|'[\w-]*')|(?:undefined|null)\s*[!=]==?|\.(?:startsWith|endsWith|includes|indexOf)\('[^']*'\)/g;

  it('calls timingSafeEqual only inside constant-time.ts', () => {
    const callers = files.filter(({ text }) => text.includes('timingSafeEqual')).map(({ file }) => file);
    expect(callers).toEqual([join('webhooks', 'constant-time.ts')]);
  });

  it('compares secrets and signatures only through the constant-time helpers', () => {
    const authenticator = files.find(({ file }) => file.endsWith('pathors-webhook.authenticator.ts'));
    const verifier = files.find(({ file }) => file.endsWith('standard-webhooks.ts'));
    expect(authenticator?.text).toMatch(/this\.secrets\.matchesAny\(offered\)/);
    expect(verifier?.text).toMatch(/constantTimeEqual\(candidate, expected\)/);

    const suspicious = files.flatMap(({ file, text }) =>
      text
        .split('\n')
        .map((line, index) => ({ where: `${file}:${index + 1}`, line: line.trim() }))
        .filter(({ line }) => !line.startsWith('*') && !line.startsWith('//'))
        .filter(({ line }) => SECRET_WORDS.test(line) && UNSAFE_COMPARISON.test(line.replace(HARMLESS, ''))),
    );
    expect(suspicious).toEqual([]);
  });
});
