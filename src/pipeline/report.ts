/**
 * The second half of the pipeline, after `resolve.ts`: filter → group → render. The report's
 * notes come from the diagnostics of the first half and from the options, in one place.
 */
import { buildCompareReport, buildSeriesReport, type CompareReportView, type DiffReportOptions, type SeriesReportView } from '../analyze/diff-report';
import { describeFilter, filterTrace, type TraceFilter } from '../analyze/filter';
import { isolateTotals } from '../analyze/isolates';
import { buildStatisticsReport, type StatisticsReportView } from '../analyze/report';
import { checkSiteOptions } from '../analyze/sites';
import { buildTypeCompare, buildTypesReport, type ReportGroupBy } from '../analyze/kinds';
import { AlloctraceError } from '../errors';
import { renderReport, type OutputFormat } from '../report/renderers';
import { formatSize } from '../units';
import type { TraceFile } from '../trace/format';
import type { Diagnostic } from './diagnostics';

/** What a report shows, as `run`, `show` and `compare` take it from the command line. */
export interface ReportOptions {
  top: number | null;
  /** A site key, or `type`: kinds of objects (object traces only). */
  groupBy: ReportGroupBy;
  json: boolean;
  userCode: boolean;
  sourceMaps: boolean;
  /** Sample filters (`--include`, `--exclude`), applied before grouping. */
  filters?: TraceFilter[];
  hideInternals?: boolean;
  cumulative?: boolean;
  /** Write the report as one self-contained HTML page to this file (instead of text/JSON). */
  html?: string | null;
  /** With `html`: replace an existing file. */
  force?: boolean;
}

function formatOf(options: Pick<ReportOptions, 'json'>): OutputFormat {
  return options.json ? 'json' : 'text';
}

/** One note per active filter, so a filtered report says so. */
export function filterNotes(options: Pick<ReportOptions, 'filters' | 'hideInternals'>): string[] {
  const notes = (options.filters ?? []).map((f) => `filtered: ${describeFilter(f)}.`);
  if (options.hideInternals === true) notes.push('filtered: memory charged to Node internals and builtins is hidden.');
  return notes;
}

/** Per-isolate totals when threads or processes were merged: how to pick one is said once. */
export function isolateNotes(trace: TraceFile): string[] {
  const totals = isolateTotals(trace);
  if (totals.length < 2) return [];
  return [
    `${totals.length} threads/processes merged (report one with --thread <id|name> or --pid <pid>):`,
    ...totals.map((t) => `  ${t.label}${t.command === '' ? '' : ` [${t.command}]`}: est. ${formatSize(t.size)} in ${t.samples} samples`),
  ];
}

/** The notes a resolved trace's diagnostics and the options call for, before the filters'. */
function resolutionNotes(diagnostics: readonly Diagnostic[], options: Pick<ReportOptions, 'sourceMaps'>): string[] {
  const notes: string[] = [];
  const maps = diagnostics.filter((d) => d.kind === 'map').length;
  if (maps > 0) notes.push(`${maps} script(s) with an unusable source map show generated positions (warnings above).`);
  if (!options.sourceMaps) notes.push('source maps off: generated positions shown.');
  return notes;
}

/** A resolved trace's statistics, filtered and grouped: the report view and the trace it was built from. */
export function statisticsView(trace: TraceFile, diagnostics: readonly Diagnostic[], options: ReportOptions): { view: StatisticsReportView; trace: TraceFile } {
  const groupBy = options.groupBy;
  if (groupBy === 'type') throw new AlloctraceError('ERR_USAGE', '--html does not show --group-by type yet: use the text or --json report');
  const notes = [...resolutionNotes(diagnostics, options), ...filterNotes(options)];
  const filtered = filterTrace(trace, options);
  notes.push(...isolateNotes(filtered));
  const view = buildStatisticsReport(filtered, { groupBy, userCode: options.userCode, cumulative: options.cumulative === true, top: options.top, notes });
  return { view, trace: filtered };
}

/** A resolved trace's statistics (tracemalloc's `statistics()`), filtered, grouped and rendered. */
export function renderTraceReport(trace: TraceFile, diagnostics: readonly Diagnostic[], options: ReportOptions): string {
  if (options.groupBy === 'type') {
    // heapy's table: kinds over the filtered objects.
    const notes = [...resolutionNotes(diagnostics, options), ...filterNotes(options)];
    const filtered = filterTrace(trace, options);
    return renderReport(buildTypesReport(filtered, { top: options.top, notes: [...notes, ...isolateNotes(filtered)] }), formatOf(options));
  }
  return renderReport(statisticsView(trace, diagnostics, options).view, formatOf(options));
}

/** Fails on options no diff or series takes, before any trace is read. */
export function checkChangeOptions(options: ReportOptions): DiffReportOptions {
  const diffOptions: DiffReportOptions = {
    // `type` compares kinds, not sites: its options are checked as lineno's.
    groupBy: options.groupBy === 'type' ? 'lineno' : options.groupBy,
    userCode: options.userCode,
    cumulative: options.cumulative === true,
    top: options.top,
    notes: filterNotes(options),
  };
  checkSiteOptions(diffOptions);
  return diffOptions;
}

/**
 * What changed across resolved traces: two → a diff, site by site; three or more (snapshots of one
 * process, in order) → growth first → last and the sites that grew at every step. Filtered,
 * grouped and rendered.
 */
export function renderChangeReport(traces: ReadonlyArray<{ name: string; trace: TraceFile }>, options: ReportOptions): string {
  if (options.groupBy === 'type') {
    if (traces.length !== 2) throw new AlloctraceError('ERR_USAGE', 'compare --group-by type takes two traces (older, newer)');
    const filtered = traces.map(({ name, trace }) => ({ name, trace: filterTrace(trace, options) }));
    return renderReport(buildTypeCompare(filtered[0]!, filtered[1]!, { top: options.top, notes: filterNotes(options) }), formatOf(options));
  }
  return renderReport(changeView(traces, options).view, formatOf(options));
}

/** The diff or series view of resolved traces, and the filtered traces it was built from. */
export function changeView(
  traces: ReadonlyArray<{ name: string; trace: TraceFile }>,
  options: ReportOptions,
): { view: CompareReportView | SeriesReportView; traces: Array<{ name: string; trace: TraceFile }> } {
  if (options.groupBy === 'type') throw new AlloctraceError('ERR_USAGE', '--html does not show --group-by type yet: use the text or --json report');
  const diffOptions = checkChangeOptions(options);
  if (traces.length < 2) throw new AlloctraceError('ERR_USAGE', 'compare needs two traces (older, newer), or three or more for a series');
  const filtered = traces.map(({ name, trace }) => ({ name, trace: filterTrace(trace, options) }));
  const view = filtered.length === 2 ? buildCompareReport(filtered[0]!, filtered[1]!, diffOptions) : buildSeriesReport(filtered, diffOptions);
  return { view, traces: filtered };
}
