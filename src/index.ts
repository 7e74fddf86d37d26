/**
 * alloctrace's library API. See README "Library API".
 */
export { AlloctraceError, type ErrorCode } from './errors';
export type { TraceFile, TraceMeta, FrameRecord, ScriptRecord, ThreadRecord, TraceMode } from './trace/format';
export { readTraceFile, parseTrace } from './trace/read';
export { loadTraces, loadMergedTrace } from './trace/load-many';
export { mergeTraces, selectIsolates, type IsolateSelector } from './trace/merge';
export { writeTrace } from './trace/write';
export { symbolizeTrace } from './symbolize/symbolize';
export { SourceMapper } from './symbolize/mapper';
/** The pipeline's resolving stages in their one order (what the CLI and `Snapshot.load` run). */
export { resolveTrace, resolveTraces, type ResolveOptions } from './pipeline/resolve';
export type { Diagnostic, DiagnosticKind } from './pipeline/diagnostics';
/** Real source lines (call and allocation lines proven from the code): run after `symbolizeTrace`. */
export { resolveLines } from './lines/resolve-lines';
export type { LineRecord, CodePoint } from './trace/format';
export { computeStatistics, type GroupBy, type StatisticRow, type StatisticsReport } from './analyze/statistics';
export type { Location, Precision, Origin } from './analyze/location';
export { formatSize, formatCount } from './units';
export { formatStatisticLine } from './report/text';
// In-process tracing, tracemalloc's shape (src/api/).
export { start, stop, isTracing, takeSnapshot, getTracedMemory, clearTraces, type StartOptions } from './api/tracing';
export { Snapshot, type SnapshotStatisticsOptions, type SnapshotFilterOptions, type StatisticsOptions, type FilterOptions } from './api/snapshot';
export { Statistic, StatisticDiff } from './api/statistic';
export type { TraceFilter as Filter } from './analyze/filter';
export { compareTraces, type TraceDiff } from './analyze/compare';
export { analyzeSeries, type SeriesAnalysis } from './analyze/series';
