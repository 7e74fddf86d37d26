/**
 * Statistics: samples grouped by a key (line, file, function, whole traceback), with estimated
 * size and count, sorted by size. tracemalloc's `Snapshot.statistics()`, over V8 samples; the
 * grouping itself is the one engine of `sites.ts`.
 */
import type { TraceFile, TraceMode } from '../trace/format';
import type { KindShare } from './kinds';
import type { Location } from './location';
import { groupSites, type SiteOptions } from './sites';
import { StackIndex, type GroupBy, type Totals } from './stack-index';

// Older imports of the index's names from here keep working.
export { GROUP_BYS, StackIndex, groupKey, groupLocation, rowLocation, sumPerStack } from './stack-index';
export type { Attribution, AttributionOptions, GroupBy, PerStack, Totals } from './stack-index';

/** How `computeStatistics` groups: the grouping engine's options. */
export type StatisticsOptions = SiteOptions;

/** One row of statistics: a group of samples and where it is charged. */
export interface StatisticRow {
  /** Stable grouping key. */
  key: string;
  /** Where the memory is attributed, at the precision the group-by allows. */
  location: Location;
  /** The builtin or skipped callee the allocation went through (`repeat`, `JSON.parse`…), if any. */
  via: string | null;
  /** Estimated bytes. */
  size: number;
  /** Estimated number of allocations. */
  count: number;
  /** Number of samples behind the estimate: a measure of how much to trust it. */
  samples: number;
  /** Stack of the heaviest sample in the group, innermost frame first. */
  traceback: Location[];
  /** In an object trace: the row's kinds of objects, largest first (analyze/kinds.ts). */
  kinds?: KindShare[];
}

export interface StatisticsReport {
  groupBy: GroupBy;
  mode: TraceMode | null;
  interval: number | null;
  total: Totals;
  stats: StatisticRow[];
}

/**
 * Groups a trace's samples (cumulatively with `cumulative`). Sorted by size, then count, then key
 * (a stable order).
 */
export function computeStatistics(trace: TraceFile, options: StatisticsOptions, index = new StackIndex(trace)): StatisticsReport {
  const { sites, total } = groupSites(trace, options, index);
  const stats: StatisticRow[] = [];
  for (const s of sites.values()) {
    // Built field by field: one object shape keeps the sort below fast (object rest does not).
    stats.push({ key: s.key, location: s.location, via: s.via, size: s.size, count: s.count, samples: s.samples, traceback: s.traceback });
  }
  stats.sort(compareStatistics);
  return { groupBy: options.groupBy, mode: trace.meta.mode, interval: trace.meta.interval, total, stats };
}

/** @deprecated The same as {@link StatisticRow} (the library's `Statistic` is the class of api/statistic.ts). */
export type Statistic = StatisticRow;

export function compareStatistics(a: StatisticRow, b: StatisticRow): number {
  return b.size - a.size || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
