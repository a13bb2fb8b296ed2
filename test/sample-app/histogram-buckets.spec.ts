import { describe, expect, it } from '@jest/globals';
import { histogramQuantile, mergeHistograms } from '../../sample-app/src/metrics/histogram-buckets.js';

/** Buckets (0, 10], (10, 20], (20, +Inf). */
const boundaries = [10, 20];

describe('histogramQuantile', () => {
  it('interpolates inside the bucket the quantile falls in', () => {
    // 10 recordings in (0, 10], 10 in (10, 20]: the median is the top of the first bucket, p75 halfway up the second.
    const histogram = { boundaries, counts: [10, 10, 0], min: 0, max: 20 };
    expect(histogramQuantile(histogram, 0.5)).toBe(10);
    expect(histogramQuantile(histogram, 0.75)).toBe(15);
  });

  it('narrows the buckets to the smallest and largest recordings, so the open last bucket has an end', () => {
    expect(histogramQuantile({ boundaries, counts: [0, 0, 4], min: 30, max: 50 }, 0.5)).toBe(40);
    expect(histogramQuantile({ boundaries, counts: [0, 0, 4], min: 30, max: 50 }, 0.99)).toBeCloseTo(49.8);
    // One recording is every quantile of itself.
    expect(histogramQuantile({ boundaries, counts: [0, 1, 0], min: 12, max: 12 }, 0.5)).toBe(12);
  });

  it('has no quantile without a recording', () => {
    expect(histogramQuantile({ boundaries, counts: [0, 0, 0], min: 0, max: 0 }, 0.5)).toBeUndefined();
  });
});

describe('mergeHistograms', () => {
  it('adds the counts up and keeps the extremes', () => {
    expect(
      mergeHistograms([
        { boundaries, counts: [1, 0, 2], min: 3, max: 40 },
        { boundaries, counts: [0, 5, 0], min: 11, max: 19 },
      ]),
    ).toEqual({ boundaries, counts: [1, 5, 2], min: 3, max: 40 });
    expect(mergeHistograms([])).toBeUndefined();
  });
});
