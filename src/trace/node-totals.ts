/**
 * Recovering each sample's object size with the help of its call-tree node's total.
 *
 * A V8 sample reports `s × n` with `n = round(1/p(s))`, and one product can fit several object
 * sizes (40000 B is one 40000-byte array, two of 20000 B or five of 8000 B at 32 KiB). The node
 * holding the samples also reports `selfSize`, which V8 computes per object size with the
 * rounding applied once to the whole group: `Σ s × round(k_s / p(s))`
 * (SamplingHeapProfiler::ScaleSample(size, count)). A size seen once (`k = 1`) adds its product
 * whatever `s` is, so only sizes sampled twice or more carry information; for those the equation
 * almost always singles out the true sizes. Pure.
 */
import { scaledCount } from './scaling';

/** Largest number of size combinations tried per node; beyond it the node stays undecided. */
const MAX_COMBINATIONS = 4096;
/** Smallest V8 heap object (map word + one field). */
const MIN_OBJECT_SIZE = 16;

/**
 * Byte multiple every V8 object size is: 8 on 64-bit builds without pointer compression (Node's
 * official builds), as the products of a profile show (each is `s × n`). A profile whose products
 * are not all multiples of 8 gets 1: no assumption.
 */
export function objectAlignment(v8Sizes: Iterable<number>): number {
  for (const size of v8Sizes) if (size % 8 !== 0) return 1;
  return 8;
}

/** Every `n` with `v8Size = s × n`, `s` a multiple of `alignment` and V8 scaling `s` by `n`, smallest first. */
export function candidateCounts(v8Size: number, interval: number, alignment = 1): number[] {
  const out: number[] = [];
  // n <= 1/x + 1.5 with x = s / interval bounds n from above.
  const excess = v8Size - interval;
  const limit = Math.max(1, Math.floor(v8Size / MIN_OBJECT_SIZE));
  const upper = excess > 0 ? Math.min(limit, Math.ceil((1.5 * v8Size) / excess) + 2) : limit;
  for (let n = 1; n <= upper; n++) {
    if (v8Size % (n * alignment) === 0 && scaledCount(v8Size / n, interval) === n) out.push(n);
  }
  return out;
}

/** V8's node total for `k` samples of an `objectSize`-byte object: `s × round(k / p(s))`. */
export function groupTotal(objectSize: number, k: number, interval: number): number {
  const scale = 1 / (1 - Math.exp(-objectSize / interval));
  return objectSize * Math.floor(k * scale + 0.5);
}

/**
 * For one node: its samples' reported sizes and V8's `selfSize`. Returns, per reported size that
 * is decided, the `n` V8 scaled it by: sizes with one candidate, and sizes sampled at least twice
 * whose `n` is the same in every combination that reproduces `selfSize`. Sizes left out stay
 * ambiguous (seen once, too many combinations, or no combination fits: several object sizes
 * behind one product).
 */
export function countsFromNodeTotal(
  v8Sizes: readonly number[],
  selfSize: number,
  interval: number,
  candidates: (v8Size: number, interval: number) => number[] = candidateCounts,
): Map<number, number> {
  const multiplicity = new Map<number, number>();
  for (const size of v8Sizes) multiplicity.set(size, (multiplicity.get(size) ?? 0) + 1);
  const decided = new Map<number, number>();
  const groups: Array<{ size: number; k: number; counts: number[] }> = [];
  let rest = selfSize;
  let combinations = 1;
  for (const [size, k] of multiplicity) {
    const counts = candidates(size, interval);
    if (counts.length === 1) {
      decided.set(size, counts[0]!);
      rest -= groupTotal(size / counts[0]!, k, interval);
    } else if (k === 1 || counts.length === 0) {
      rest -= size;
    } else {
      groups.push({ size, k, counts });
      combinations *= counts.length;
    }
  }
  if (groups.length === 0 || combinations > MAX_COMBINATIONS) return decided;
  // Every combination that reproduces the total; a group is decided when they all agree on it.
  let agreed: Array<number | null> | null = null;
  const chosen: number[] = new Array<number>(groups.length).fill(0);
  const search = (i: number, total: number): void => {
    if (total > rest) return;
    if (i === groups.length) {
      if (total !== rest) return;
      agreed = agreed === null ? [...chosen] : agreed.map((n, j) => (n === chosen[j] ? n : null));
      return;
    }
    const g = groups[i]!;
    for (const n of g.counts) {
      chosen[i] = n;
      search(i + 1, total + groupTotal(g.size / n, g.k, interval));
    }
  };
  search(0, 0);
  const found: Array<number | null> | null = agreed;
  if (found !== null) groups.forEach((g, i) => { const n = found[i]; if (n !== null && n !== undefined) decided.set(g.size, n); });
  return decided;
}

/** Memoizes `candidateCounts` for one interval and alignment. */
export function candidateCache(alignment = 1): (v8Size: number, interval: number) => number[] {
  const cache = new Map<number, number[]>();
  return (v8Size, interval) => {
    let counts = cache.get(v8Size);
    if (counts === undefined) {
      counts = candidateCounts(v8Size, interval, alignment);
      cache.set(v8Size, counts);
    }
    return counts;
  };
}
