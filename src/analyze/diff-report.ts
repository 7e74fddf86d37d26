/**
 * The plain report objects of `compare`: two traces (a diff) or three and more (a series), cut
 * to the top rows, with the context and notes a reader needs. Renderers take these.
 */
import type { TraceFile } from '../trace/format';
import { compareTraces, type DiffTotals, type StatisticDiffRow } from './compare';
import { FUNCTION_PRECISION_NOTE, OUTSIDE_HEAP_NOTE } from './report';
import { KINDS_NOTE, kindChangesBySite } from './kinds';
import { LocationKeys } from './stack-index';
import { findFunctionSuspects, type FunctionSuspect } from './moved-leaks';
import { analyzeSeries, requiredGrowthSteps, stepwiseGrowthSteps, type SeriesSite } from './series';
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
  /** An object trace (`run --types`/`--census`): exact, from a heap snapshot. */
  objects?: NonNullable<TraceFile['meta']['objects']>;
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
  stats: StatisticDiffRow[];
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
  /** Intervals a site had to grow in to be a `steady` suspect. */
  required: number;
  /** Intervals a site had to grow in to be a `stepwise` suspect. */
  requiredStepwise: number;
  /** Intervals in which the total grew beyond the noise. */
  totalGrewIn: number;
  suspects: SeriesSite[];
  /** Functions (with their callees) that leak where no row does: inlining moved the bytes between rows. */
  functionSuspects: FunctionSuspect[];
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
  'a site "grew" ("shrank") in an interval when its estimate rose (fell) by more than twice the sampling noise of that difference; a suspected leak grew in every interval (all but one per five: "steady"), or grew in bursts, gave back under a tenth of what it gained and was still growing in the later half ("stepwise").';

export const WITHIN_NOISE_NOTE =
  '"within noise": the difference is less than twice its sampling noise (± shown), so it may be chance: two runs of one program differ by as much.';

export function labelOf(name: string, trace: TraceFile): TraceLabel {
  const { mode, interval, reason, sequence, pid, time, objects } = trace.meta;
  const label: TraceLabel = { name, mode, interval, reason, sequence, pid, time };
  if (objects !== undefined) label.objects = objects;
  return label;
}

function takeTopDiffs<T extends StatisticDiffRow>(rows: readonly T[], top: number | null): { shown: T[]; omitted: OmittedDiff } {
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

function commonNotes(rows: readonly StatisticDiffRow[], extra: readonly string[], objects = false): string[] {
  const notes = [...extra];
  if (rows.some((s) => s.location.precision === 'function')) notes.push(FUNCTION_PRECISION_NOTE);
  notes.push(objects ? KINDS_NOTE : OUTSIDE_HEAP_NOTE);
  return notes;
}

export function buildCompareReport(
  older: { name: string; trace: TraceFile },
  newer: { name: string; trace: TraceFile },
  options: DiffReportOptions,
): CompareReportView {
  // One key space for the diff and the kinds of its rows.
  const keyed = { ...options, keys: options.keys ?? new LocationKeys() };
  const diff = compareTraces(older.trace, newer.trace, keyed);
  const top = takeTopDiffs(diff.diffs, options.top);
  const { omitted } = top;
  const kinds = kindChangesBySite(older.trace, newer.trace, keyed);
  const shown = kinds === null ? top.shown : top.shown.map((d) => ({ ...d, kinds: kinds.get(d.key) ?? [] }));
  const objects = older.trace.meta.objects !== undefined && newer.trace.meta.objects !== undefined;
  const labels = [labelOf(older.name, older.trace), labelOf(newer.name, newer.trace)];
  const extra = comparabilityNotes(labels, [older.trace, newer.trace]);
  if (shown.some((d) => !d.significant && d.sizeDiff !== 0)) extra.push(WITHIN_NOISE_NOTE);
  return {
    kind: 'compare',
    groupBy: options.groupBy,
    cumulative: diff.cumulative,
    older: labels[0]!,
    newer: labels[1]!,
    total: diff.total,
    stats: shown,
    omitted,
    notes: commonNotes(shown, [...extra, ...(options.notes ?? [])], objects),
  };
}

export function buildSeriesReport(traces: ReadonlyArray<{ name: string; trace: TraceFile }>, options: DiffReportOptions): SeriesReportView {
  const files = traces.map((t) => t.trace);
  const analysis = analyzeSeries(files, options);
  const functionSuspects = findFunctionSuspects(files, options, analysis);
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
    requiredStepwise: stepwiseGrowthSteps(labels.length - 1),
    totalGrewIn: analysis.totalGrewIn,
    suspects: analysis.suspects,
    functionSuspects,
    stats: shown,
    omitted,
    notes: commonNotes([...analysis.suspects, ...functionSuspects.flatMap((f) => f.parts), ...shown], extra),
  };
}
