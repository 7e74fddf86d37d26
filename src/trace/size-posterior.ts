/**
 * Byte and count estimates for samples whose object size V8's product leaves ambiguous.
 *
 * A sample of reported size `v` was one of several object sizes `s_n = v / n`. Choosing one by
 * a fixed rule is biased by up to a third whichever rule it is (the largest size over-estimates
 * 8–24 KiB arrays at 32 KiB by +33 %; V8's product itself under-estimates 36–42 KiB arrays by
 * −29 %). The unbiased estimate of what the sample stands for is the expectation of the
 * Horvitz–Thompson weight `s / p(s)` over the candidates, each weighted by how likely it is to
 * produce `v`: `prior(s_n) × p(s_n)`, `p(s) = 1 − exp(−s / interval)`. The prior is the
 * profile's own distribution of allocated object sizes, estimated by EM (expectation–
 * maximization) from every sample at once: samples whose size is known fix it, ambiguous ones
 * share it out. It is a histogram over log-size bins with mass per object size (a multiple of
 * the alignment), so a product that only one candidate's alignment explains pulls towards it.
 * Measured on real V8 (bench/accuracy.ts, docs/benchmarks.md). Pure.
 */
import { sampleWeight } from './scaling';

/** Histogram bins per octave of object size. */
const BINS_PER_OCTAVE = 16;
const ITERATIONS = 40;

export interface AmbiguousSample {
  /** V8's reported size `s × n`. */
  v8Size: number;
  /** Every `n` that fits (node-totals.ts `candidateCounts`), non-empty. */
  counts: readonly number[];
}

const binOf = (objectSize: number): number => Math.floor(BINS_PER_OCTAVE * Math.log2(objectSize));
const binWidth = (bin: number): number => 2 ** ((bin + 1) / BINS_PER_OCTAVE) - 2 ** (bin / BINS_PER_OCTAVE);

/**
 * Per distinct ambiguous `v8Size`, the expected `{ size, count }` one sample of it stands for.
 * `knownSizes` are the object sizes of the samples already decided (one entry per sample).
 */
export function posteriorEstimates(ambiguous: readonly AmbiguousSample[], knownSizes: readonly number[], interval: number): Map<number, { size: number; count: number }> {
  // Distinct products, with how often each was sampled: samples of one product share everything.
  const groups = new Map<number, { counts: readonly number[]; k: number }>();
  for (const a of ambiguous) {
    const g = groups.get(a.v8Size);
    if (g === undefined) groups.set(a.v8Size, { counts: a.counts, k: 1 });
    else g.k++;
  }
  const out = new Map<number, { size: number; count: number }>();
  if (groups.size === 0) return out;
  const entries = [...groups].map(([v8Size, { counts, k }]) => {
    const sizes = counts.map((n) => v8Size / n);
    return { v8Size, k, bins: sizes.map(binOf), sizes, weights: sizes.map((s) => sampleWeight(s, interval)) };
  });
  // Allocations per bin: the decided samples' Horvitz–Thompson counts, never re-estimated.
  const fixed = new Map<number, number>();
  for (const s of knownSizes) {
    const b = binOf(s);
    fixed.set(b, (fixed.get(b) ?? 0) + sampleWeight(s, interval));
  }
  // Start from a log-uniform prior (one allocation per bin) over every bin a candidate touches.
  let prior = new Map<number, number>();
  for (const e of entries) for (const b of e.bins) prior.set(b, 1);
  for (const [b, c] of fixed) prior.set(b, c);
  const responsibilities = (e: (typeof entries)[number], current: Map<number, number>): number[] => {
    // P(candidate | v) ∝ prior mass per object size × P(sampled) = prior(bin) / width × 1 / weight.
    const r = e.bins.map((b, j) => (current.get(b) ?? 0) / binWidth(b) / e.weights[j]!);
    const total = r.reduce((a, x) => a + x, 0);
    return total > 0 ? r.map((x) => x / total) : r.map(() => 1 / r.length);
  };
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const next = new Map(fixed);
    for (const e of entries) {
      const r = responsibilities(e, prior);
      e.bins.forEach((b, j) => next.set(b, (next.get(b) ?? 0) + e.k * r[j]! * e.weights[j]!));
    }
    // A floor keeps every candidate possible: a bin emptied once could never come back.
    for (const b of prior.keys()) next.set(b, (next.get(b) ?? 0) + 1e-6);
    prior = next;
  }
  for (const e of entries) {
    const r = responsibilities(e, prior);
    let size = 0;
    let count = 0;
    e.sizes.forEach((s, j) => {
      size += r[j]! * s * e.weights[j]!;
      count += r[j]! * e.weights[j]!;
    });
    out.set(e.v8Size, { size, count });
  }
  return out;
}
