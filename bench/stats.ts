/**
 * Pure statistics for the benchmarks: medians, ranges and ratios over repeated, interleaved runs.
 * Machines are noisy, so every figure is a median with its min–max, and every comparison is a
 * ratio of paired runs (the runs of one round ran back to back, under the same load).
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median of `values` (mean of the two middle ones for an even count). `NaN` when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, min, max and count of `values`. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { median: median(values), min, max, n: values.length };
}

/** `a / b`, or `NaN` when `b` is zero or either is not a number. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return a / b;
}

/**
 * Ratios of paired runs, `a[i] / b[i]` (round `i` of each), summarized. Pairing cancels the
 * load that changes from one round to the next; unpaired trailing runs are ignored.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): Summary {
  const n = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = ratio(a[i]!, b[i]!);
    if (!Number.isNaN(r)) ratios.push(r);
  }
  return summarize(ratios);
}

/** Differences of paired runs, `a[i] - b[i]`, summarized (e.g. extra start-up milliseconds). */
export function pairedDifferences(a: readonly number[], b: readonly number[]): Summary {
  const n = Math.min(a.length, b.length);
  const diffs: number[] = [];
  for (let i = 0; i < n; i++) diffs.push(a[i]! - b[i]!);
  return summarize(diffs);
}

/** Relative error of an estimate against the truth: `estimate / truth - 1`. */
export function relativeError(estimate: number, truth: number): number {
  return ratio(estimate, truth) - 1;
}

/** The `p`-quantile (0..1) of `values`, linear between neighbours. `NaN` when empty. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(1, Math.max(0, p)) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** `1.23 (1.10–1.40)`: a summary as the table prints it, with `digits` decimals. */
export function formatSummary(s: Summary, digits: number, unit = ''): string {
  if (s.n === 0 || Number.isNaN(s.median)) return 'n/a';
  const f = (v: number): string => v.toFixed(digits);
  return s.n === 1 || s.min === s.max ? `${f(s.median)}${unit}` : `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}
