/** Shared by `run` and `show`: symbolize a trace, then render its statistics. */
import { describeFilter, filterTrace, type TraceFilter } from '../analyze/filter';
import { buildStatisticsReport } from '../analyze/report';
import type { GroupBy } from '../analyze/statistics';
import { renderStatisticsJson } from '../report/json';
import { renderStatisticsText } from '../report/text';
import type { TraceFile } from '../trace/format';
import { symbolizeTrace, unsymbolizeTrace } from '../symbolize/symbolize';

export interface ReportOptions {
  top: number | null;
  groupBy: GroupBy;
  json: boolean;
  userCode: boolean;
  sourceMaps: boolean;
  /** Sample filters (`--include`, `--exclude`), applied before grouping. */
  filters?: TraceFilter[];
  hideInternals?: boolean;
  cumulative?: boolean;
}

/** One note per active filter, so a filtered report says so. */
export function filterNotes(options: Pick<ReportOptions, 'filters' | 'hideInternals'>): string[] {
  const notes = (options.filters ?? []).map((f) => `filtered: ${describeFilter(f)}.`);
  if (options.hideInternals === true) notes.push('filtered: memory charged to Node internals and builtins is hidden.');
  return notes;
}

export interface Prepared {
  trace: TraceFile;
  warnings: string[];
}

/** Resolves source maps (or drops resolutions with `sourceMaps: false`). */
export function prepareTrace(trace: TraceFile, sourceMaps: boolean): Prepared {
  if (!sourceMaps) return { trace: unsymbolizeTrace(trace), warnings: [] };
  return symbolizeTrace(trace);
}

export function renderTraceReport(prepared: Prepared, options: ReportOptions): string {
  const notes: string[] = [];
  if (prepared.warnings.length > 0) {
    notes.push(`${prepared.warnings.length} script(s) with an unusable source map show generated positions (warnings above).`);
  }
  if (!options.sourceMaps) notes.push('source maps off: generated positions shown.');
  notes.push(...filterNotes(options));
  const trace = filterTrace(prepared.trace, options);
  const report = buildStatisticsReport(trace, { groupBy: options.groupBy, userCode: options.userCode, cumulative: options.cumulative === true, top: options.top, notes });
  return options.json ? renderStatisticsJson(report) : renderStatisticsText(report);
}

export function formatWarnings(warnings: readonly string[]): string {
  return warnings.map((w) => `alloctrace: warning: ${w}\n`).join('');
}
