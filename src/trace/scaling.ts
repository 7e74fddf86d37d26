/**
 * V8's sample scaling, and its inverse.
 *
 * V8 samples allocations with a Poisson process of mean `interval` bytes. A sampled object of
 * `s` bytes stands for `n = round(1 / (1 - exp(-s / interval)))` allocations, and the inspector
 * reports the sample's size as `s × n` (v8 SamplingHeapProfiler::ScaleSample). The byte estimate
 * is therefore the reported size itself; the count estimate needs `n`, recovered here.
 */

/** Allocations one sample of an `objectSize`-byte object stands for, as V8 computes it. */
export function scaledCount(objectSize: number, interval: number): number {
  if (objectSize <= 0) return 1;
  return Math.max(1, Math.floor(1 / (1 - Math.exp(-objectSize / interval)) + 0.5));
}

/** Smallest V8 heap object we assume (map word + one field). */
const MIN_OBJECT_SIZE = 16;

/**
 * Number of allocations V8 scaled one sample by, from its reported size `size = s × n`.
 *
 * The product is often ambiguous: 40000 B can be one 40000-byte object (n = 1) or two
 * 20000-byte ones (n = 2), and near the interval every small object size fits. Rule: above
 * 1.1 × interval (objects of a tenth of the interval and up) take the largest object that fits
 * (smallest n) — exact for objects over ~2.2 × interval, the common case for big retained
 * arrays and strings. Below it (tiny objects, `size ≈ interval + s/2`) take the smallest object
 * size `s >= (size - interval) / 1.5` that fits. Byte estimates of tiny objects are within a few percent
 * either way; their counts are estimates within a small factor (docs/trace-format.md).
 */
export function estimateCount(size: number, interval: number): number {
  if (!(size > 0) || !(interval > 0)) return 1;
  // n <= 1/x + 1.5 (x = s/interval) gives s >= (size - interval) / 1.5.
  const excess = size - interval;
  const limit = Math.max(1, Math.floor(size / MIN_OBJECT_SIZE));
  const upper = excess > 0 ? Math.min(limit, Math.ceil((1.5 * size) / excess) + 2) : limit;
  const fits = (n: number): boolean => size % n === 0 && scaledCount(size / n, interval) === n;
  if (size >= 1.1 * interval) {
    for (let n = 1; n <= upper; n++) if (fits(n)) return n;
  } else {
    const smallest = Math.max(MIN_OBJECT_SIZE, excess / 1.5);
    let fallback = 0;
    for (let n = upper; n >= 1; n--) {
      if (!fits(n)) continue;
      if (size / n >= smallest) return n;
      fallback ||= n;
    }
    if (fallback > 0) return fallback;
  }
  // Not V8's scaling (another interval, or an edited file): the closest real solution.
  const f = (x: number): number => x / -Math.expm1(-x / interval);
  let lo = 0;
  let hi = size;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < size) lo = mid;
    else hi = mid;
  }
  return Math.max(1, Math.round(size / Math.max(hi, 1)));
}

/**
 * Unbiased number of allocations one sample of an `objectSize`-byte object stands for:
 * `1 / P(sampled)` with `P = 1 - exp(-s / interval)`. V8 rounds this to an integer, which
 * under-counts objects near the interval by up to ~25 % (64 KiB objects at 32 KiB: V8 says 1,
 * the truth is 1.16); alloctrace uses the exact weight.
 */
export function sampleWeight(objectSize: number, interval: number): number {
  if (!(objectSize > 0) || !(interval > 0)) return 1;
  return 1 / -Math.expm1(-objectSize / interval);
}

/**
 * Estimated `{ size, count }` behind one V8 sample of reported (scaled) size `v8Size`:
 * the object size is recovered by inverting V8's rounding, then weighted without rounding.
 */
export function estimateSample(v8Size: number, interval: number): { size: number; count: number } {
  const n = estimateCount(v8Size, interval);
  const objectSize = v8Size / n;
  const count = sampleWeight(objectSize, interval);
  return { size: objectSize * count, count };
}

/** Memoizes `estimateSample` for one interval: traces repeat the same few sizes many times. */
export function sampleEstimator(interval: number): (v8Size: number) => { size: number; count: number } {
  const cache = new Map<number, { size: number; count: number }>();
  return (v8Size) => {
    let estimate = cache.get(v8Size);
    if (estimate === undefined) {
      estimate = estimateSample(v8Size, interval);
      cache.set(v8Size, estimate);
    }
    return estimate;
  };
}
