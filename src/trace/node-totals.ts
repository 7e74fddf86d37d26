/**
 * Recovering each sample's object size with the help of its call-tree node's total.
 *
 * A V8 sample reports `s × n` with `n = round(1/p(s))`, and one product can fit several object
 * sizes (`estimateCount` then applies a rule that is wrong for some sizes: e.g. 8 KiB strings or
 * 32 KiB arrays at a 32 KiB interval, +40…60 % in bench/accuracy.ts). The node holding the
 * samples also reports `selfSize`, which V8 computes per object size with the rounding applied
 * once to the whole group: `Σ s × round(k_s / p(s))` (SamplingHeapProfiler::ScaleSample(size,
 * count)). That second equation almost always singles out the true sizes. Pure.
 */
import { estimateCount, scaledCount } from './scaling';

/** Largest number of size combinations tried per node; beyond it the rule decides. */
const MAX_COMBINATIONS = 4096;
/** Smallest V8 heap object (as in scaling.ts). */
const MIN_OBJECT_SIZE = 16;

/** Every `n` with `v8Size = s × n` and V8 scaling `s` by `n`: the `estimateCount` choice first. */
export function candidateCounts(v8Size: number, interval: number): number[] {
  const preferred = estimateCount(v8Size, interval);
  const out = [preferred];
  // n <= 1/x + 1.5 with x = s / interval bounds n from above (see scaling.ts).
  const excess = v8Size - interval;
  const limit = Math.max(1, Math.floor(v8Size / MIN_OBJECT_SIZE));
  const upper = excess > 0 ? Math.min(limit, Math.ceil((1.5 * v8Size) / excess) + 2) : limit;
  for (let n = 1; n <= upper; n++) {
    if (n !== preferred && v8Size % n === 0 && scaledCount(v8Size / n, interval) === n) out.push(n);
  }
  return out;
}

/** V8's node total for `k` samples of an `objectSize`-byte object: `s × round(k / p(s))`. */
export function groupTotal(objectSize: number, k: number, interval: number): number {
  const scale = 1 / (1 - Math.exp(-objectSize / interval));
  return objectSize * Math.floor(k * scale + 0.5);
}

/**
 * For one node: its samples' reported sizes and V8's `selfSize`. Returns, per reported size, the
 * `n` V8 scaled it by, taken from the first combination (rule's choices first) that reproduces
 * `selfSize` exactly; `null` when none does or there are too many to try.
 */
export function countsFromNodeTotal(v8Sizes: readonly number[], selfSize: number, interval: number, candidates = candidateCounts): Map<number, number> | null {
  const multiplicity = new Map<number, number>();
  for (const size of v8Sizes) multiplicity.set(size, (multiplicity.get(size) ?? 0) + 1);
  const groups: Array<{ size: number; k: number; counts: number[] }> = [];
  let combinations = 1;
  for (const [size, k] of multiplicity) {
    const counts = candidates(size, interval);
    combinations *= counts.length;
    if (combinations > MAX_COMBINATIONS) return null;
    groups.push({ size, k, counts });
  }
  const chosen: number[] = new Array<number>(groups.length).fill(0);
  const search = (i: number, total: number): boolean => {
    if (total > selfSize) return false;
    if (i === groups.length) return total === selfSize;
    const g = groups[i]!;
    for (const n of g.counts) {
      chosen[i] = n;
      if (search(i + 1, total + groupTotal(g.size / n, g.k, interval))) return true;
    }
    return false;
  };
  if (!search(0, 0)) return null;
  return new Map(groups.map((g, i) => [g.size, chosen[i]!]));
}

/** Memoizes `candidateCounts` for one interval. */
export function candidateCache(): (v8Size: number, interval: number) => number[] {
  const cache = new Map<number, number[]>();
  return (v8Size, interval) => {
    let counts = cache.get(v8Size);
    if (counts === undefined) {
      counts = candidateCounts(v8Size, interval);
      cache.set(v8Size, counts);
    }
    return counts;
  };
}
