import { hash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 of a string's UTF-16 code units: two strings have the same digest only when they are equal as strings
 * (UTF-8 would encode every lone surrogate as the same U+FFFD).
 */
const digestOf = (value: string): Buffer => hash('sha256', Buffer.from(value, 'utf16le'), 'buffer');

/**
 * Compares two strings in time that depends on neither their content nor their lengths: both are hashed to 32 bytes
 * first, then compared with `crypto.timingSafeEqual`.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digestOf(a), digestOf(b));
}

/**
 * The shared secrets of a rotation, each hashed once when the app boots. An offered value is hashed, then its digest
 * is compared with every secret's through `crypto.timingSafeEqual`, with no early exit on a match: the time depends on
 * neither the content nor the length of the secrets, and does not tell which one matched.
 */
export class ConstantTimeSecrets {
  private readonly digests: readonly Buffer[];

  constructor(secrets: readonly string[]) {
    this.digests = secrets.map(digestOf);
  }

  /** Whether `offered` equals one of the secrets. */
  matchesAny(offered: string): boolean {
    const offeredDigest = digestOf(offered);
    let matched = false;
    for (const digest of this.digests) matched = timingSafeEqual(offeredDigest, digest) || matched;
    return matched;
  }
}
