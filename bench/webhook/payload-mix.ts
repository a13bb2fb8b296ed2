import { randomBytes } from 'node:crypto';
import * as testing from 'nestjs-pathors/testing';

/** The shared secret every benchmarked app is configured with. */
export const BENCH_SECRET = 'bench-shared-secret-0123456789abcdef';

/** Headers of every benchmark request: the same for the bare route and the webhook. */
export const BENCH_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  ...testing.sharedSecretHeaders(BENCH_SECRET),
};

// Replaced in every request, so that no two requests carry the same idempotency key (dedupe never short-circuits).
const MARKER = 'ffffffff-ffff-4fff-bfff-ffffffffffff';

type PayloadBuilder = (overrides?: Record<string, unknown>) => Record<string, unknown>;

/** A builder's payload with its identifying field (`sessionId` for lifecycle events, `id` for platform ones) marked. */
function marked(build: PayloadBuilder, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const field = 'event' in build() ? 'sessionId' : 'id';
  return build({ ...overrides, [field]: MARKER });
}

/** Every documented event of both dialects (every builder of the testing kit), plus a failed recording. */
const TEMPLATES = [
  ...Object.entries(testing)
    .filter(([name, value]) => name.startsWith('build') && typeof value === 'function')
    .map(([, build]) => marked(build as unknown as PayloadBuilder)),
  marked(testing.buildRecordingReady as unknown as PayloadBuilder, { recordingUrl: undefined }),
].map((payload) => {
  const parts = JSON.stringify(payload).split(MARKER);
  if (parts.length !== 2)
    throw new Error(`bench payload template must carry the marker once: ${parts.join('…')}`);
  return parts as [string, string];
});

/** How many distinct event kinds the mix cycles through. */
export const PAYLOAD_KINDS = TEMPLATES.length;

/**
 * An endless source of request bodies: the event kinds in turn, each with a fresh UUID (run prefix + counter) in its
 * identifying field. Building one is a string concatenation, so the load generator stays cheap.
 */
export class PayloadMix {
  private readonly prefix = randomBytes(4).toString('hex');
  private counter = 0;

  /** The next body. */
  next(): string {
    const count = this.counter++;
    const [head, tail] = TEMPLATES[count % TEMPLATES.length]!;
    const suffix = count.toString(16).padStart(12, '0');
    return `${head}${this.prefix}-0000-4000-8000-${suffix}${tail}`;
  }

  /** Bodies sent so far. */
  get sent(): number {
    return this.counter;
  }
}
