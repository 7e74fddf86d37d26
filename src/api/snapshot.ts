/** A trace held in memory: tracemalloc's `Snapshot`, over alloctrace's trace model. */
import * as path from 'node:path';
import { compareTraces } from '../analyze/compare';
import { computeCumulativeStatistics } from '../analyze/cumulative';
import { filterTrace, type TraceFilter } from '../analyze/filter';
import { computeStatistics, GROUP_BYS, type GroupBy } from '../analyze/statistics';
import { AlloctraceError } from '../errors';
import { resolveTrace, singleUseResolvers } from '../pipeline/resolve';
import { SourceMapper } from '../symbolize/mapper';
import type { TraceFile } from '../trace/format';
import { readTraceFile } from '../trace/read';
import { writeTrace } from '../trace/write';
import { PRODUCER } from '../version';
import { Statistic, StatisticDiff } from './statistic';
import { invalidArgType, validateFilters, validateOptionalBoolean, validateOptions, validateString } from './validate';

/** Options of {@link Snapshot.statistics} and {@link Snapshot.compareTo}. */
export interface SnapshotStatisticsOptions {
  /** Count each sample toward every frame of its stack (callers include their callees). Not with `traceback`. */
  cumulative?: boolean;
  /** Charge memory to the innermost frame of your own code, not Node internals or node_modules. */
  userCode?: boolean;
}

/** Options of {@link Snapshot.filter}. */
export interface SnapshotFilterOptions {
  /** Also drop memory charged to Node internals (`node:…`) and builtins. */
  hideInternals?: boolean;
  /** With `userCode`, the frame a filter tests is the innermost frame of your own code. */
  userCode?: boolean;
}

/** @deprecated Renamed {@link SnapshotStatisticsOptions} (analyze/'s `StatisticsOptions` is another thing). */
export type StatisticsOptions = SnapshotStatisticsOptions;
/** @deprecated Renamed {@link SnapshotFilterOptions} (analyze/'s `FilterOptions` is another thing). */
export type FilterOptions = SnapshotFilterOptions;

function checkGroupBy(groupBy: string): GroupBy {
  validateString(groupBy, 'groupBy');
  if ((GROUP_BYS as readonly string[]).includes(groupBy)) return groupBy as GroupBy;
  throw new AlloctraceError('ERR_USAGE', `groupBy must be one of ${GROUP_BYS.join(', ')} (got '${groupBy}')`);
}

function checkStatisticsOptions(options: object | undefined, booleans: readonly string[]): void {
  const checked = validateOptions(options, 'options') as Record<string, unknown>;
  for (const key of booleans) validateOptionalBoolean(checked[key], `options.${key}`);
}

export class Snapshot {
  /** The underlying trace (the format of `docs/trace-format.md`). */
  readonly trace: TraceFile;

  constructor(trace: TraceFile) {
    this.trace = trace;
  }

  /**
   * Reads a trace written by {@link Snapshot.dump}, `alloctrace run -o`, `--snapshot-dir`, or a
   * V8 `.heapprofile`, resolving what was not resolved yet as the CLI does (source maps, also
   * those the traced process held in memory, then proven lines). `mapper`: a mapper to share
   * (it should know the trace's in-memory maps). Throws an `AlloctraceError` naming the file
   * when it is not a readable trace.
   */
  static load(file: string, options: { mapper?: SourceMapper } = {}): Snapshot {
    validateString(file, 'file');
    validateOptions(options, 'options');
    if (options.mapper !== undefined && !(options.mapper instanceof SourceMapper)) throw invalidArgType('options.mapper', 'a SourceMapper', options.mapper);
    const trace = readTraceFile(path.resolve(file), { producer: PRODUCER, heapProfileRoot: process.cwd() });
    const resolvers = singleUseResolvers(trace);
    if (options.mapper !== undefined) resolvers.mapper = options.mapper;
    return new Snapshot(resolveTrace(trace, { sourceMaps: true, resolvers }).trace);
  }

  /** Writes the snapshot to `file` (replacing it), atomically. */
  dump(file: string): void {
    validateString(file, 'file');
    writeTrace(path.resolve(file), this.trace, { overwrite: true });
  }

  /** Estimated bytes and allocations held by the snapshot's samples. */
  get total(): { size: number; count: number } {
    let size = 0;
    let count = 0;
    for (const s of this.trace.samples.size) size += s;
    for (const c of this.trace.samples.count) count += c;
    return { size, count };
  }

  /**
   * A snapshot with only the samples the filters keep: a sample is kept when it matches one
   * inclusive filter (if there are any) and no exclusive one (tracemalloc's `filter_traces`).
   */
  filter(filters: readonly TraceFilter[], options: SnapshotFilterOptions = {}): Snapshot {
    validateFilters(filters, 'filters');
    checkStatisticsOptions(options, ['hideInternals', 'userCode']);
    return new Snapshot(filterTrace(this.trace, { ...options, filters }));
  }

  /** Memory by site, largest first. `groupBy`: `lineno` (default), `filename`, `function`, `traceback`. */
  statistics(groupBy: GroupBy = 'lineno', options: SnapshotStatisticsOptions = {}): Statistic[] {
    checkStatisticsOptions(options, ['cumulative', 'userCode']);
    const base = { groupBy: checkGroupBy(groupBy), userCode: options.userCode === true };
    const report = options.cumulative === true ? computeCumulativeStatistics(this.trace, base) : computeStatistics(this.trace, base);
    return report.stats.map((row) => new Statistic(row));
  }

  /**
   * What changed since `old`, site by site, largest absolute size difference first. Sites are
   * keyed by original locations, so snapshots of two builds line up.
   */
  compareTo(old: Snapshot, groupBy: GroupBy = 'lineno', options: SnapshotStatisticsOptions = {}): StatisticDiff[] {
    if (!(old instanceof Snapshot)) throw invalidArgType('old', 'a Snapshot', old);
    checkStatisticsOptions(options, ['cumulative', 'userCode']);
    const diff = compareTraces(old.trace, this.trace, {
      groupBy: checkGroupBy(groupBy),
      userCode: options.userCode === true,
      cumulative: options.cumulative === true,
    });
    return diff.diffs.map((row) => new StatisticDiff(row));
  }
}
