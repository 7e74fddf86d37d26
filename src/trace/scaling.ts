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

/**
 * Number of allocations behind one sample whose reported (scaled) size is `size`.
 * Exact when `size` came from V8 with this `interval`; otherwise the closest real solution.
 */
export function estimateCount(size: number, interval: number): number {
  if (!(size > 0) || !(interval > 0)) return 1;
  // f(s) = s / (1 - exp(-s/I)) rises from I (s -> 0) to ~s: bisect for f(s) = size.
  const f = (s: number): number => s / -Math.expm1(-s / interval);
  if (size <= f(1)) return Math.max(1, Math.round(size));
  let lo = 1;
  let hi = size;
  for (let i = 0; i < 64 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < size) lo = mid;
    else hi = mid;
  }
  const guess = Math.max(1, Math.round(size / ((lo + hi) / 2)));
  // Rounding in V8 makes the real n one of the neighbours whose object size is a whole number.
  for (const delta of [0, -1, 1, -2, 2]) {
    const n = guess + delta;
    if (n >= 1 && size % n === 0 && scaledCount(size / n, interval) === n) return n;
  }
  return guess;
}

/** Memoizes `estimateCount` for one interval: traces repeat the same few sizes many times. */
export function countEstimator(interval: number): (size: number) => number {
  const cache = new Map<number, number>();
  return (size) => {
    let n = cache.get(size);
    if (n === undefined) {
      n = estimateCount(size, interval);
      cache.set(size, n);
    }
    return n;
  };
}
