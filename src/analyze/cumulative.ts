/**
 * Cumulative statistics: every frame of a sample's stack is charged the sample once
 * (tracemalloc's `statistics(key, cumulative=True)`), so a caller's row holds everything
 * allocated below it. Row totals then add up to more than the trace's total. Pure.
 */
import type { TraceFile } from '../trace/format';
import { groupSites, type SiteOptions } from './sites';
import { compareStatistics, type Statistic, type StatisticsReport } from './statistics';

export function computeCumulativeStatistics(trace: TraceFile, options: SiteOptions): StatisticsReport {
  const { sites, total } = groupSites(trace, { ...options, cumulative: true });
  const stats: Statistic[] = [];
  for (const { members: _m, ...site } of sites.values()) stats.push(site);
  stats.sort(compareStatistics);
  return { groupBy: options.groupBy, mode: trace.meta.mode, interval: trace.meta.interval, total, stats };
}
