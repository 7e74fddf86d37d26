/**
 * The plain report object every renderer takes: statistics cut to the top rows, with the
 * context a reader needs (what was measured, how, and what to be told about it).
 */
import type { TraceFile, TraceMeta } from '../trace/format';
import { computeStatistics, type GroupBy, type StatisticRow, type StatisticsOptions, type Totals } from './statistics';
import { takeTop, type Omitted } from './top';
import { computeCumulativeStatistics } from './cumulative';
import { isolateTotals, type IsolateTotal } from './isolates';
import { exactLinesHint } from './line-location';
import { KINDS_NOTE, kindMixes } from './kinds';

export interface StatisticsReportView {
  kind: 'statistics';
  groupBy: GroupBy;
  /** What the numbers are: live memory or all allocations, when, at what interval. */
  measure: Measure;
  total: Totals;
  stats: StatisticRow[];
  omitted: Omitted;
  /** One-line facts for the footer (trace notes, map warnings, caveats). */
  notes: string[];
  /** Per thread/process totals when the report merges several, largest first. */
  isolates?: IsolateTotal[];
}

export interface Measure {
  mode: TraceMeta['mode'];
  interval: number | null;
  reason: TraceMeta['reason'];
  sequence: number;
  /** Number of isolates (threads, processes) merged into this report. */
  traces: number;
  /** An object trace: a heap snapshot's objects (exact), not samples. */
  objects?: NonNullable<TraceMeta['objects']>;
  /** Heap sizes of a `peak` or `heap-limit` trace, and how long after the start it was taken (ms). */
  heap?: TraceMeta['heap'];
  elapsedMs?: number | null;
}

export const OUTSIDE_HEAP_NOTE = 'Buffer and ArrayBuffer contents live outside the V8 heap and are not sampled.';
export const CUMULATIVE_NOTE = 'cumulative: each row counts every sample with that row in its stack; rows overlap and add up to more than the total.';
export const FUNCTION_PRECISION_NOTE = '"file:N (in f)" is the line where function f starts: V8 samples by function, not by line.';
export const CANDIDATES_NOTE = '"(in f, lines A|B)": the allocation is on one of those lines of f; its code alone cannot tell which.';

export function measureOf(trace: TraceFile): Measure {
  const { mode, interval, reason, sequence, heap, startTime, time } = trace.meta;
  const measure: Measure = { mode, interval, reason, sequence, traces: trace.threads?.length ?? 1 };
  if (trace.meta.objects !== undefined) measure.objects = trace.meta.objects;
  if (heap !== undefined) {
    measure.heap = heap;
    const elapsed = startTime !== null && time !== null ? Date.parse(time) - Date.parse(startTime) : NaN;
    measure.elapsedMs = Number.isFinite(elapsed) ? elapsed : null;
  }
  return measure;
}

export function buildStatisticsReport(
  trace: TraceFile,
  options: StatisticsOptions & { top: number | null; notes?: readonly string[]; cumulative?: boolean },
): StatisticsReportView {
  const full = options.cumulative === true ? computeCumulativeStatistics(trace, options) : computeStatistics(trace, options);
  const top = takeTop(full.stats, options.top);
  const { omitted } = top;
  // An object trace: each row with the kinds of objects it holds.
  const mixes = kindMixes(trace, options);
  const shown = mixes === null ? top.shown : top.shown.map((s) => ({ ...s, kinds: mixes.get(s.key) ?? [] }));
  const notes = [...trace.meta.notes, ...(options.notes ?? [])];
  if (options.cumulative === true) notes.push(CUMULATIVE_NOTE);
  if (shown.some((s) => s.location.precision === 'function')) notes.push(FUNCTION_PRECISION_NOTE);
  if (shown.some((s) => s.location.precision === 'candidates')) notes.push(CANDIDATES_NOTE);
  const hint = options.cumulative === true ? null : exactLinesHint(trace, options.groupBy, full.stats, full.total.size);
  if (hint !== null) notes.push(hint);
  notes.push(trace.meta.objects === undefined ? OUTSIDE_HEAP_NOTE : KINDS_NOTE);
  const view: StatisticsReportView = { kind: 'statistics', groupBy: options.groupBy, measure: measureOf(trace), total: full.total, stats: shown, omitted, notes };
  const isolates = isolateTotals(trace);
  if (isolates.length > 0) {
    view.isolates = isolates;
    view.measure.traces = isolates.length;
  }
  return view;
}
