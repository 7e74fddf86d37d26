/**
 * Differences between two traces, site by site: tracemalloc's `Snapshot.compare_to()`. Sites are
 * keyed by (original) locations, so traces of two builds of the same code line up. Each
 * difference carries the sampling noise it is measured with. Pure.
 */
import type { TraceFile } from '../trace/format';
import type { Location } from './location';
import { groupSites, sameSession, sampleVariances, type Site, type SiteOptions } from './sites';
import { StackIndex, type GroupBy } from './statistics';

export type DiffStatus = 'new' | 'gone' | 'changed' | 'same';

export interface StatisticDiff {
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
  traceback: Location[];
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
  diffs: StatisticDiff[];
}

/** Grouped sites of one trace, with what the noise estimate needs. */
export interface GroupedTrace {
  trace: TraceFile;
  sites: Map<string, Site>;
  total: { size: number; count: number; samples: number };
  variances: Float64Array;
  ordinals: Set<number>;
}

export function groupTrace(trace: TraceFile, options: SiteOptions): GroupedTrace {
  const { sites, total } = groupSites(trace, options, new StackIndex(trace));
  return { trace, sites, total, variances: sampleVariances(trace), ordinals: new Set(trace.samples.ordinal) };
}

function varianceOf(side: GroupedTrace, site: Site | undefined, other: GroupedTrace, shared: boolean): number {
  if (site === undefined) return 0;
  let v = 0;
  const ordinal = side.trace.samples.ordinal;
  for (const i of site.members) {
    // The same sampled object in both traces adds nothing to the difference.
    if (shared && other.ordinals.has(ordinal[i]!)) continue;
    v += side.variances[i]!;
  }
  return v;
}

/**
 * One site's difference between `older` and `newer`. `seen` describes the site when it is in
 * neither (a series site present only in between).
 */
export function diffSite(key: string, older: GroupedTrace, newer: GroupedTrace, seen?: Site): StatisticDiff {
  const a = older.sites.get(key);
  const b = newer.sites.get(key);
  const shown = b ?? a ?? seen;
  if (shown === undefined) throw new Error(`site ${key} is in neither trace`);
  const shared = sameSession(older.trace, newer.trace);
  const noise = Math.sqrt(varianceOf(older, a, newer, shared) + varianceOf(newer, b, older, shared));
  const size = b?.size ?? 0;
  const count = b?.count ?? 0;
  const sizeDiff = size - (a?.size ?? 0);
  const countDiff = count - (a?.count ?? 0);
  const status: DiffStatus = a === undefined ? 'new' : b === undefined ? 'gone' : sizeDiff === 0 && countDiff === 0 ? 'same' : 'changed';
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
    traceback: shown.traceback,
  };
}

export function compareDiffs(a: StatisticDiff, b: StatisticDiff): number {
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
      sizeDiff: newer.total.size - older.total.size,
      count: newer.total.count,
      countDiff: newer.total.count - older.total.count,
      samples: newer.total.samples,
    },
    diffs,
  };
}

/** What changed from `older` to `newer`, grouped by `options.groupBy`. */
export function compareTraces(older: TraceFile, newer: TraceFile, options: SiteOptions): TraceDiff {
  return diffGrouped(groupTrace(older, options), groupTrace(newer, options), options);
}

/** `true` when a difference stands out of the sampling noise (two standard deviations). */
export function isSignificant(diff: Pick<StatisticDiff, 'sizeDiff' | 'noise'>): boolean {
  return Math.abs(diff.sizeDiff) > 2 * diff.noise;
}
