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

/** {@link sha256} into an existing 32-byte buffer, so that checking a request allocates no buffer. */
const sha256Into: (value: string, target: Buffer) => void =
  typeof crypto.hash === 'function'
    ? (value, target) => void target.write(crypto.hash('sha256', value, 'binary'), 'latin1')
    : (value, target) => void createHash('sha256').update(value).digest().copy(target);

/**
 * Compares two strings in time that depends on neither their content nor their lengths: both are hashed to 32 bytes
 * first, then compared with `crypto.timingSafeEqual`.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * A set of secrets hashed once, at boot, so that checking a request hashes only the value it offers. The offered value
 * is compared with every secret (no early exit), each comparison through `crypto.timingSafeEqual` on 32-byte digests:
 * the time depends neither on which secret matched nor on any length.
 */
export class ConstantTimeSecrets {
  private readonly digests: readonly Buffer[];
  /** The offered value's digest, overwritten by each check (checks are synchronous). */
  private readonly offeredDigest = Buffer.alloc(32);

  constructor(secrets: readonly string[]) {
    this.digests = secrets.map(sha256);
  }

  /** Whether `offered` equals one of the secrets. */
  matchesAny(offered: string): boolean {
    sha256Into(offered, this.offeredDigest);
    let matched = false;
    for (const digest of this.digests) matched = timingSafeEqual(this.offeredDigest, digest) || matched;
    return matched;
  }
}
