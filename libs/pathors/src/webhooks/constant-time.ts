import * as crypto from 'node:crypto';

const { createHash, timingSafeEqual } = crypto;

/**
 * SHA-256 of a string. Node 20's one-shot `crypto.hash` (20.12+) is much cheaper than a Hash object, but its `'buffer'`
 * output takes a slow path there: the digest is read as a 'binary' (latin1) string, one character per byte, and
 * turned back into the same 32 bytes.
 */
const sha256: (value: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (value) => Buffer.from(crypto.hash('sha256', value, 'binary'), 'binary')
    : (value) => createHash('sha256').update(value).digest();

/**
 * Compares two strings in time that depends on neither their content nor their lengths: both are hashed to 32 bytes
 * first, then compared with `crypto.timingSafeEqual`.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Fewest code units a shared-secret comparison reads: secrets up to this long take the same time, whatever length. */
const MIN_COMPARED_UNITS = 64;

/**
 * The shared secrets of a rotation, compared with an offered value without hashing it: every comparison reads the same
 * number of UTF-16 code units (the longest secret's length, at least {@link MIN_COMPARED_UNITS}) from each secret,
 * padded with zeros, and from the offered value, and folds the differences with `|` (no early exit, no branch on a
 * secret). The time depends neither on the content of either side nor on which secret matched, and not on a secret's
 * length below that width; the offered value's own length is the caller's. Hashing the offered value first (what
 * {@link constantTimeEqual} does) costs several times as much on every request.
 */
export class ConstantTimeSecrets {
  private readonly codeUnits: readonly Uint16Array[];
  private readonly lengths: readonly number[];
  private readonly width: number;

  constructor(secrets: readonly string[]) {
    this.width = Math.max(MIN_COMPARED_UNITS, ...secrets.map((secret) => secret.length));
    this.lengths = secrets.map((secret) => secret.length);
    this.codeUnits = secrets.map((secret) => {
      const units = new Uint16Array(this.width);
      for (let index = 0; index < secret.length; index++) units[index] = secret.charCodeAt(index);
      return units;
    });
  }

  /** Whether `offered` equals one of the secrets. */
  matchesAny(offered: string): boolean {
    const { width, codeUnits, lengths } = this;
    const length = offered.length;
    let found = 0;
    for (let secret = 0; secret < codeUnits.length; secret++) {
      const units = codeUnits[secret]!;
      // Lengths are below 2^30 and code units below 2^16: the folded difference is a non-negative int32.
      let difference = length ^ lengths[secret]!;
      for (let index = 0; index < width; index++) {
        difference |= units[index]! ^ (index < length ? offered.charCodeAt(index) : 0);
      }
      // 1 exactly when difference is 0 (difference - 1 is then -1, whose sign bit is set), without a branch.
      found |= (difference - 1) >>> 31;
    }
    return found === 1;
  }
}
