/** Bucket counts of an explicit-bucket histogram, as OpenTelemetry reports them. */
export interface HistogramBuckets {
  /** Upper bounds of the buckets but the last, ascending. */
  readonly boundaries: readonly number[];
  /** Recordings per bucket: one more than `boundaries`, the last one above the highest bound. */
  readonly counts: readonly number[];
  /** The smallest and the largest value recorded. */
  readonly min: number;
  readonly max: number;
}

/**
 * The `q`-quantile (0 to 1) of the recordings of `histogram`, as Prometheus's `histogram_quantile()` estimates it:
 * linearly interpolated inside the bucket it falls in, whose bounds are narrowed to the smallest and largest values
 * recorded (so the open last bucket has an end, and a single recording is its own quantile). `undefined` when the
 * histogram holds no recording.
 */
export function histogramQuantile(histogram: HistogramBuckets, q: number): number | undefined {
  const { boundaries, counts, min, max } = histogram;
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (const [index, count] of counts.entries()) {
    if (count > 0 && below + count >= rank) {
      const lower = Math.max(index === 0 ? min : boundaries[index - 1], min);
      const upper = Math.min(index === boundaries.length ? max : boundaries[index], max);
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return max;
}

/** Histograms of the same buckets as one: their counts added up, the smallest min, the largest max. */
export function mergeHistograms(histograms: readonly HistogramBuckets[]): HistogramBuckets | undefined {
  if (histograms.length === 0) return undefined;
  const [first] = histograms;
  return {
    boundaries: first.boundaries,
    counts: first.counts.map((_, index) => histograms.reduce((sum, { counts }) => sum + counts[index], 0)),
    min: Math.min(...histograms.map(({ min }) => min)),
    max: Math.max(...histograms.map(({ max }) => max)),
  };
}
