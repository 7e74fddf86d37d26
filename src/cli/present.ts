/** Shared by `run` and `show`: symbolize a trace, then render its statistics. */
import { describeFilter, filterTrace, type TraceFilter } from '../analyze/filter';
import { buildStatisticsReport } from '../analyze/report';
import type { GroupBy } from '../analyze/statistics';
import { renderStatisticsJson } from '../report/json';
import { renderStatisticsText } from '../report/text';
import type { TraceFile } from '../trace/format';
import { CodeCache } from '../lines/code-cache';
import { readWrappedPositions } from '../lines/read-wrapped';
import { dropLines, resolveLines } from '../lines/resolve-lines';
import { SourceMapper } from '../symbolize/mapper';
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
  /** How many of `warnings` are about unusable source maps. */
  mapWarnings?: number;
}

/**
 * Resolves source maps (or drops resolutions with `sourceMaps: false`), then the lines each frame
 * was executing, from the scripts' code: both only where not resolved yet.
 */
export function prepareTrace(trace: TraceFile, sourceMaps: boolean): Prepared {
  if (!sourceMaps) {
    const cache = new CodeCache();
    const read = readWrappedPositions(trace, cache);
    const lines = resolveLines(dropLines(unsymbolizeTrace(read.trace)), { mapper: null, cache });
    return { trace: lines.trace, warnings: [...read.warnings, ...lines.warnings] };
  }
  return resolveTrace(trace);
}

/** Per-run caches of source maps and parsed scripts, shared by every trace of one command. */
export interface Resolvers {
  mapper: SourceMapper;
  cache: CodeCache;
}

/**
 * Everything not resolved yet, in order: `--exact-lines` positions read back, source maps, then
 * proven lines.
 */
export function resolveTrace(trace: TraceFile, resolvers: Resolvers = { mapper: new SourceMapper(), cache: new CodeCache() }): Prepared {
  const { mapper, cache } = resolvers;
  const read = readWrappedPositions(trace, cache);
  const symbolized = symbolizeTrace(read.trace, { mapper });
  const lines = resolveLines(symbolized.trace, { mapper, cache });
  return { trace: lines.trace, warnings: [...read.warnings, ...symbolized.warnings, ...lines.warnings], mapWarnings: symbolized.warnings.length };
}

export function renderTraceReport(prepared: Prepared, options: ReportOptions): string {
  const notes: string[] = [];
  const mapWarnings = prepared.mapWarnings ?? prepared.warnings.length;
  if (mapWarnings > 0) {
    notes.push(`${mapWarnings} script(s) with an unusable source map show generated positions (warnings above).`);
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
