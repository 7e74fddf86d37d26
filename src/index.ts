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
export { computeStatistics, type GroupBy, type Statistic, type StatisticsReport } from './analyze/statistics';
export type { Location, Precision, Origin } from './analyze/location';
export { formatSize, formatCount } from './report/units';
export { formatStatisticLine } from './report/text';
