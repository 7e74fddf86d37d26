/**
 * Differences between two traces, site by site: tracemalloc's `Snapshot.compare_to()`. Sites are
 * keyed by (original) locations, so traces of two builds of the same code line up. Each
 * difference carries the sampling noise it is measured with. Pure.
 */
import type { TraceFile } from '../trace/format';
import type { Location } from './location';
import type { KindChangeShare } from './kinds';
import { groupSites, sameSession, sampleVariances, type Site, type SiteOptions } from './sites';
import { LocationKeys, StackIndex, type GroupBy } from './stack-index';

export type DiffStatus = 'new' | 'gone' | 'changed' | 'same';

/** One row of a diff: a site's size and count in two traces. */
export interface StatisticDiffRow {
  key: string;
  location: Location;
  via: string | null;
  /** Estimate in the newer trace (0 when the site is gone). */
  size: number;
  sizeDiff: number;
  count: number;
  countDiff: number;
  /** Samples behind the newer estimate. */
  samples: number;
  /** `new`: not in the older trace; `gone`: not in the newer one. */
  status: DiffStatus;
  /**
   * Standard deviation of `sizeDiff` due to sampling. Within one process (same session) only
   * samples that appeared or vanished count; across processes, every sample of both.
   */
  noise: number;
  /** `true` when `sizeDiff` is beyond twice `noise`: a real change, not chance. */
  significant: boolean;
  traceback: Location[];
  /** Object traces: which kinds of objects the change is made of, largest change first (analyze/kinds.ts). */
  kinds?: KindChangeShare[];
}

export interface DiffTotals {
  size: number;
  sizeDiff: number;
  count: number;
  countDiff: number;
  samples: number;
}

export interface TraceDiff {
  groupBy: GroupBy;
  cumulative: boolean;
  total: DiffTotals;
  /** Sorted: largest absolute size difference first, then size, then count. */
  diffs: StatisticDiffRow[];
}

/** Grouped sites of one trace, with what the noise estimate needs. */
export interface GroupedTrace {
  trace: TraceFile;
  sites: Map<string, Site>;
  total: { size: number; count: number; samples: number };
  variances: Float64Array;
  ordinals: OrdinalSet;
}

/**
 * A trace's sample ordinals, for "is this sample also in that trace" tests. Answered for all
 * samples at once, by sorting both sides and merging: a `Set` of a million ordinals, probed once
 * per sample, cost more than the rest of a compare (docs/benchmarks.md). Built on first use (only
 * same-session diffs need it) and cached per other trace.
 */
export class OrdinalSet {
  private readonly shared = new Map<OrdinalSet, Uint8Array>();
  private sortedKeys: Float64Array | null = null;
  constructor(readonly ordinals: readonly number[]) {}

  /** Per sample of this trace: 1 when a sample of `other` has the same ordinal. */
  sharedWith(other: OrdinalSet): Uint8Array {
    let flags = this.shared.get(other);
    if (flags === undefined) {
      flags = markShared(this, other);
      this.shared.set(other, flags);
    }
    return flags;
  }

  /** Ordinals sorted, each with its sample index packed in the low bits; `null` if they do not fit. */
  keys(): Float64Array | null {
    if (this.sortedKeys === null) this.sortedKeys = packedSort(this.ordinals);
    return this.sortedKeys.length === this.ordinals.length ? this.sortedKeys : null;
  }
}

const INDEX_BITS = 24;

/** `ordinal × 2^24 + index`, sorted (a native numeric sort); empty when that would lose precision. */
function packedSort(ordinals: readonly number[]): Float64Array {
  const scale = 2 ** INDEX_BITS;
  if (ordinals.length >= scale) return new Float64Array(0);
  const keys = new Float64Array(ordinals.length);
  for (let i = 0; i < ordinals.length; i++) {
    const o = ordinals[i]!;
    if (!Number.isInteger(o) || o < 0 || o >= 2 ** (53 - INDEX_BITS)) return new Float64Array(0);
    keys[i] = o * scale + i;
  }
  return keys.sort();
}

function markShared(self: OrdinalSet, other: OrdinalSet): Uint8Array {
  const flags = new Uint8Array(self.ordinals.length);
  const a = self.keys();
  const b = other.keys();
  if (a === null || b === null) {
    const set = new Set(other.ordinals);
    self.ordinals.forEach((o, i) => {
      if (set.has(o)) flags[i] = 1;
    });
    return flags;
  }
  const scale = 2 ** INDEX_BITS;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const ordinal = Math.floor(a[i]! / scale);
    while (j < b.length && Math.floor(b[j]! / scale) < ordinal) j++;
    if (j < b.length && Math.floor(b[j]! / scale) === ordinal) flags[a[i]! - ordinal * scale] = 1;
  }
  return flags;
}

export function groupTrace(trace: TraceFile, options: SiteOptions): GroupedTrace {
  const { sites, total } = groupSites(trace, { ...options, members: true }, new StackIndex(trace, options.keys));
  return { trace, sites, total, variances: sampleVariances(trace), ordinals: new OrdinalSet(trace.samples.ordinal) };
}

function varianceOf(side: GroupedTrace, site: Site | undefined, other: GroupedTrace, shared: boolean): number {
  if (site === undefined) return 0;
  let v = 0;
  // The same sampled object in both traces adds nothing to the difference.
  const inOther = shared ? side.ordinals.sharedWith(other.ordinals) : null;
  for (const i of site.members) {
    if (inOther !== null && inOther[i] === 1) continue;
    v += side.variances[i]!;
  }
  return v;
}

/**
 * Differences to the precision samples are stored at (1/100 byte, 1e-6 allocation). A sum
 * depends on the order its samples are added in: the same samples summed in another trace's
 * order differ by ~1e-12, and against a shared session's zero noise that read as significant
 * growth (a site that held still was judged to grow at every step).
 */
function sizeDifference(older: number, newer: number): number {
  return roundTo(newer - older, 100);
}

function countDifference(older: number, newer: number): number {
  return roundTo(newer - older, 1e6);
}

/** `x` to 1/`scale`, a -0 as 0 (it would print as "-0 B"). */
function roundTo(x: number, scale: number): number {
  const rounded = Math.round(x * scale) / scale;
  return rounded === 0 ? 0 : rounded;
}

/**
 * One site's difference between `older` and `newer`. `seen` describes the site when it is in
 * neither (a series site present only in between).
 */
export function diffSite(key: string, older: GroupedTrace, newer: GroupedTrace, seen?: Site): StatisticDiffRow {
  const a = older.sites.get(key);
  const b = newer.sites.get(key);
  const shown = b ?? a ?? seen;
  if (shown === undefined) throw new Error(`site ${key} is in neither trace`);
  const shared = sameSession(older.trace, newer.trace);
  const noise = Math.sqrt(varianceOf(older, a, newer, shared) + varianceOf(newer, b, older, shared));
  const size = b?.size ?? 0;
  const count = b?.count ?? 0;
  const sizeDiff = sizeDifference(a?.size ?? 0, size);
  const countDiff = countDifference(a?.count ?? 0, count);
  // In neither (a series site that came and went in between): no difference first → last.
  const status: DiffStatus = a === undefined && b === undefined ? 'same' : a === undefined ? 'new' : b === undefined ? 'gone' : sizeDiff === 0 && countDiff === 0 ? 'same' : 'changed';
  return {
    key,
    location: shown.location,
    via: shown.via,
    size,
    sizeDiff,
    count,
    countDiff,
    samples: b?.samples ?? 0,
    status,
    noise,
    significant: isSignificant({ sizeDiff, noise }),
    traceback: shown.traceback,
  };
}

export function compareDiffs(a: StatisticDiffRow, b: StatisticDiffRow): number {
  return (
    Math.abs(b.sizeDiff) - Math.abs(a.sizeDiff) ||
    b.size - a.size ||
    Math.abs(b.countDiff) - Math.abs(a.countDiff) ||
    b.count - a.count ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

export function diffGrouped(older: GroupedTrace, newer: GroupedTrace, options: SiteOptions): TraceDiff {
  const keys = new Set([...older.sites.keys(), ...newer.sites.keys()]);
  const diffs = [...keys].map((key) => diffSite(key, older, newer)).sort(compareDiffs);
  return {
    groupBy: options.groupBy,
    cumulative: options.cumulative === true,
    total: {
      size: newer.total.size,
      sizeDiff: sizeDifference(older.total.size, newer.total.size),
      count: newer.total.count,
      countDiff: countDifference(older.total.count, newer.total.count),
      samples: newer.total.samples,
    },
    diffs,
  };
}

/** What changed from `older` to `newer`, grouped by `options.groupBy`. */
export function compareTraces(older: TraceFile, newer: TraceFile, options: SiteOptions): TraceDiff {
  const shared = { ...options, keys: options.keys ?? new LocationKeys() };
  return diffGrouped(groupTrace(older, shared), groupTrace(newer, shared), options);
}

/** `true` when a difference stands out of the sampling noise (two standard deviations). */
export function isSignificant(diff: Pick<StatisticDiffRow, 'sizeDiff' | 'noise'>): boolean {
  return Math.abs(diff.sizeDiff) > 2 * diff.noise;
}

/** @deprecated The same as {@link StatisticDiffRow} (the library's `StatisticDiff` is the class of api/statistic.ts). */
export type StatisticDiff = StatisticDiffRow;
