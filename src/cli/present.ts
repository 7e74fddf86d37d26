/** Shared by `run` and `show`: symbolize a trace, then render its statistics. */
import { describeFilter, filterTrace, type TraceFilter } from '../analyze/filter';
import { isolateTotals } from '../analyze/isolates';
import { buildStatisticsReport } from '../analyze/report';
import type { GroupBy } from '../analyze/statistics';
import { renderStatisticsJson } from '../report/json';
import { renderStatisticsText } from '../report/text';
import { formatSize } from '../report/units';
import type { TraceFile } from '../trace/format';
import { CodeCache } from '../lines/code-cache';
import { readWrappedPositions } from '../lines/read-wrapped';
import { dropLines, resolveLines } from '../lines/resolve-lines';
import { SourceMapper } from '../symbolize/mapper';
import { memoryMapsOf, symbolizeTrace, unsymbolizeTrace } from '../symbolize/symbolize';
import { mergeTraces } from '../trace/merge';

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

/** `Prepared` with its source-map warnings apart, for callers that merge several. */
interface Resolved extends Prepared {
  mapWarningList: string[];
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

/** Fresh per-run caches; the mapper knows the in-memory maps of `traces`. */
export function resolversFor(traces: readonly TraceFile[]): Resolvers {
  const memoryMaps = new Map(traces.flatMap((t) => [...memoryMapsOf(t)]));
  return { mapper: new SourceMapper({ memoryMaps }), cache: new CodeCache() };
}

/**
 * Everything not resolved yet, in order: `--exact-lines` positions read back, source maps, then
 * proven lines. Each stage leaves what is already resolved as it is, so a saved trace passes
 * through unchanged.
 */
export function resolveTrace(trace: TraceFile, resolvers: Resolvers = resolversFor([trace])): Resolved {
  const { mapper, cache } = resolvers;
  const read = readWrappedPositions(trace, cache);
  const symbolized = symbolizeTrace(read.trace, { mapper });
  const lines = resolveLines(symbolized.trace, { mapper, cache });
  return {
    trace: lines.trace,
    warnings: [...read.warnings, ...symbolized.warnings, ...lines.warnings],
    mapWarnings: symbolized.warnings.length,
    mapWarningList: symbolized.warnings,
  };
}

/** `resolveTrace`, or with source maps off, `prepareTrace(…, false)`, sharing `resolvers`. */
export function resolveWith(trace: TraceFile, sourceMaps: boolean, resolvers: Resolvers): Resolved {
  if (sourceMaps) return resolveTrace(trace, resolvers);
  const prepared = prepareTrace(trace, false);
  return { ...prepared, mapWarningList: [] };
}

/**
 * Several traces (threads, processes of one run): each resolved as `resolveTrace` does (one map
 * and code cache for all, with every trace's in-memory maps), then merged. `traces` keeps them
 * apart, in the given order. A warning shared by several traces is given once.
 */
export function prepareTraces(traces: readonly TraceFile[], sourceMaps: boolean): Prepared & { traces: TraceFile[] } {
  const { traces: prepared, warnings, mapWarnings } = resolveEach(traces, sourceMaps);
  return { trace: mergeTraces(prepared), traces: prepared, warnings, mapWarnings };
}

/** Resolves each trace with one set of caches; warnings shared by several traces given once. */
export function resolveEach(traces: readonly TraceFile[], sourceMaps: boolean): { traces: TraceFile[]; warnings: string[]; mapWarnings: number } {
  const resolvers = resolversFor(traces);
  const warnings = new Set<string>();
  const mapWarnings = new Set<string>();
  const resolved = traces.map((t) => {
    const result = resolveWith(t, sourceMaps, resolvers);
    for (const w of result.warnings) warnings.add(w);
    for (const w of result.mapWarningList) mapWarnings.add(w);
    return result.trace;
  });
  return { traces: resolved, warnings: [...warnings], mapWarnings: mapWarnings.size };
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
  notes.push(...isolateNotes(trace));
  const report = buildStatisticsReport(trace, { groupBy: options.groupBy, userCode: options.userCode, cumulative: options.cumulative === true, top: options.top, notes });
  return options.json ? renderStatisticsJson(report) : renderStatisticsText(report);
}

export function formatWarnings(warnings: readonly string[]): string {
  return warnings.map((w) => `alloctrace: warning: ${w}\n`).join('');
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
