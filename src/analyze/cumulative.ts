/**
 * Cumulative statistics: every frame of a sample's stack is charged the sample once
 * (tracemalloc's `statistics(key, cumulative=True)`), so a caller's row holds everything
 * allocated below it. Row totals then add up to more than the trace's total. Pure.
 */
import type { TraceFile } from '../trace/format';
import type { SiteOptions } from './sites';
import { computeStatistics, type StatisticsReport } from './statistics';

export function computeCumulativeStatistics(trace: TraceFile, options: SiteOptions): StatisticsReport {
  return computeStatistics(trace, { ...options, cumulative: true });
}
