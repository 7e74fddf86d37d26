/**
 * The plain report objects of `compare`: two traces (a diff) or three and more (a series), cut
 * to the top rows, with the context and notes a reader needs. Renderers take these.
 */
import type { TraceFile } from '../trace/format';
import { compareTraces, type DiffTotals, type StatisticDiff } from './compare';
import { FUNCTION_PRECISION_NOTE, OUTSIDE_HEAP_NOTE } from './report';
import { analyzeSeries, requiredGrowthSteps, type SeriesSite } from './series';
import type { SiteOptions } from './sites';
import type { GroupBy } from './statistics';
import { takeTop, type Omitted } from './top';

export interface TraceLabel {
  /** How the user named the file. */
  name: string;
  mode: TraceFile['meta']['mode'];
  interval: number | null;
  reason: TraceFile['meta']['reason'];
  sequence: number;
  pid: number | null;
  time: string | null;
}

export interface OmittedDiff extends Omitted {
  sizeDiff: number;
  countDiff: number;
}

export interface CompareReportView {
  kind: 'compare';
  groupBy: GroupBy;
  cumulative: boolean;
  older: TraceLabel;
  newer: TraceLabel;
  total: DiffTotals;
  stats: StatisticDiff[];
  omitted: OmittedDiff;
  notes: string[];
}

export interface SeriesReportView {
  kind: 'series';
  groupBy: GroupBy;
  cumulative: boolean;
  traces: TraceLabel[];
  totals: number[];
  total: DiffTotals;
  /** Intervals a site had to grow in to be suspected. */
  required: number;
  /** Intervals in which the total grew beyond the noise. */
  totalGrewIn: number;
  suspects: SeriesSite[];
  /** Other sites, largest change first → last first, cut to `top`. */
  stats: SeriesSite[];
  omitted: OmittedDiff;
  notes: string[];
}

export interface DiffReportOptions extends SiteOptions {
  top: number | null;
  notes?: readonly string[];
}

export const NOISE_NOTE =
  'a site "grew" in an interval when its estimate rose by more than twice the sampling noise of that difference; suspected leaks grew in every interval (all but one per five).';

export function labelOf(name: string, trace: TraceFile): TraceLabel {
  const { mode, interval, reason, sequence, pid, time } = trace.meta;
  return { name, mode, interval, reason, sequence, pid, time };
}

function takeTopDiffs<T extends StatisticDiff>(rows: readonly T[], top: number | null): { shown: T[]; omitted: OmittedDiff } {
  const { shown, omitted } = takeTop(rows, top);
  const rest = rows.slice(shown.length);
  return {
    shown,
    omitted: { ...omitted, sizeDiff: rest.reduce((n, r) => n + r.sizeDiff, 0), countDiff: rest.reduce((n, r) => n + r.countDiff, 0) },
  };
}

/** Facts about how comparable the traces are, one line each. */
function comparabilityNotes(labels: readonly TraceLabel[], traces: readonly TraceFile[]): string[] {
  const notes: string[] = [];
  // A .heapprofile does not say what it measured (node --heap-prof: allocations still alive at exit).
  const modes = new Set(labels.map((l) => l.mode ?? 'unknown (.heapprofile)'));
  if (modes.size > 1) notes.push(`the traces measure different things (${[...modes].join(' vs ')}): differences mix live memory and allocations.`);
  const intervals = new Set(labels.map((l) => l.interval));
  if (intervals.size > 1) notes.push('the traces were sampled at different intervals: estimates are comparable, their noise differs.');
  if (traces.some((t) => t.scripts.some((s) => s.map === 'unresolved'))) notes.push('source maps off: generated positions shown.');
  return notes;
}

function commonNotes(rows: readonly StatisticDiff[], extra: readonly string[]): string[] {
  const notes = [...extra];
  if (rows.some((s) => s.location.precision === 'function')) notes.push(FUNCTION_PRECISION_NOTE);
  notes.push(OUTSIDE_HEAP_NOTE);
  return notes;
}

export function buildCompareReport(
  older: { name: string; trace: TraceFile },
  newer: { name: string; trace: TraceFile },
  options: DiffReportOptions,
): CompareReportView {
  const diff = compareTraces(older.trace, newer.trace, options);
  const { shown, omitted } = takeTopDiffs(diff.diffs, options.top);
  const labels = [labelOf(older.name, older.trace), labelOf(newer.name, newer.trace)];
  return {
    kind: 'compare',
    groupBy: options.groupBy,
    cumulative: diff.cumulative,
    older: labels[0]!,
    newer: labels[1]!,
    total: diff.total,
    stats: shown,
    omitted,
    notes: commonNotes(shown, [...comparabilityNotes(labels, [older.trace, newer.trace]), ...(options.notes ?? [])]),
  };
}

export function buildSeriesReport(traces: ReadonlyArray<{ name: string; trace: TraceFile }>, options: DiffReportOptions): SeriesReportView {
  const analysis = analyzeSeries(
    traces.map((t) => t.trace),
    options,
  );
  const { shown, omitted } = takeTopDiffs(analysis.others, options.top);
  const labels = traces.map((t) => labelOf(t.name, t.trace));
  const extra = [...comparabilityNotes(labels, traces.map((t) => t.trace)), ...(options.notes ?? [])];
  if (labels.some((l) => l.mode === 'allocated')) {
    extra.push('in allocated mode every site that allocates grows: a series then shows allocation rates, not leaks (use live mode).');
  }
  const pids = new Set(labels.map((l) => l.pid));
  if (pids.size > 1) extra.push('the traces come from different processes: each interval also compares two runs.');
  for (let i = 1; i < labels.length; i++) {
    const a = labels[i - 1]!.time;
    const b = labels[i]!.time;
    if (a !== null && b !== null && b < a) {
      extra.push(`${labels[i]!.name} was taken before ${labels[i - 1]!.name}: give the traces in the order they were taken.`);
      break;
    }
  }
  extra.push(NOISE_NOTE);
  return {
    kind: 'series',
    groupBy: options.groupBy,
    cumulative: analysis.cumulative,
    traces: labels,
    totals: analysis.totals,
    total: analysis.total,
    required: requiredGrowthSteps(labels.length - 1),
    totalGrewIn: analysis.totalGrewIn,
    suspects: analysis.suspects,
    stats: shown,
    omitted,
    notes: commonNotes([...analysis.suspects, ...shown], extra),
  };
}
