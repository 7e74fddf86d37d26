/**
 * `alloctrace compare`: two traces → what changed, site by site; three or more (snapshots of
 * one process, in order) → growth first → last and the sites that grew at every step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCompareReport, buildSeriesReport, type DiffReportOptions } from '../analyze/diff-report';
import { filterTrace } from '../analyze/filter';
import { checkSiteOptions } from '../analyze/sites';
import { AlloctraceError } from '../errors';
import { renderCompareJson, renderSeriesJson } from '../report/diff-json';
import { renderCompareText, renderSeriesText } from '../report/diff-text';
import type { TraceFile } from '../trace/format';
import { readTraceFile, type ReadOptions } from '../trace/read';
import { expandTracePaths } from '../trace/load-many';
import { mergeTraces, selectIsolates, type IsolateSelector } from '../trace/merge';
import { PRODUCER } from '../version';
import type { CliIo, Outcome } from './io';
import { filterNotes, formatWarnings, resolveEach, type ReportOptions } from './present';
import { findProjectRoot } from './project-root';

export interface CompareOptions extends ReportOptions, IsolateSelector {
  /** Interval to assume for `.heapprofile` input. */
  interval: number | null;
}

/**
 * What each compared trace is made of. A folder given with other arguments is one trace (its
 * files merged: one `run --children` or `-o <folder>` run); a folder given alone is a series of
 * its files, in name order (a `--snapshot-dir`).
 */
export function compareSides(args: readonly string[], cwd: string): Array<{ name: string; files: Array<{ name: string; path: string }> }> {
  const isDir = (given: string): boolean => {
    try {
      return fs.statSync(path.resolve(cwd, given)).isDirectory();
    } catch {
      return false;
    }
  };
  const filesOf = (given: string): Array<{ name: string; path: string }> =>
    expandTracePaths([given], cwd).map((full) => ({ name: isDir(given) ? path.join(given, path.basename(full)) : given, path: full }));
  if (args.length === 1 && isDir(args[0]!)) return filesOf(args[0]!).map((f) => ({ name: f.name, files: [f] }));
  return args.map((given) => ({ name: given, files: filesOf(given) }));
}

/** Reads, symbolizes (what was never resolved) and filters every trace before any output. */
function loadAll(args: readonly string[], options: CompareOptions, io: CliIo): Array<{ name: string; trace: TraceFile }> {
  const readOptions: ReadOptions = { producer: PRODUCER, heapProfileRoot: findProjectRoot(io.cwd, io.cwd) };
  if (options.interval !== null) readOptions.heapProfileInterval = options.interval;
  const sides = compareSides(args, io.cwd).map(({ name, files }) => {
    const read = files.map((f) => readTraceFile(f.path, readOptions, f.name));
    return { name, trace: selectIsolates(read.length === 1 ? read[0]! : mergeTraces(read), options) };
  });
  // Snapshots of one process share scripts: one set of caches maps and parses each script once.
  const { traces, warnings } = resolveEach(sides.map((s) => s.trace), options.sourceMaps);
  const loaded = sides.map(({ name }, i) => ({ name, trace: filterTrace(traces[i]!, options) }));
  io.writeErr(formatWarnings(warnings));
  return loaded;
}

export function compareCommand(files: readonly string[], options: CompareOptions, io: CliIo): Outcome {
  const siteOptions: DiffReportOptions = {
    groupBy: options.groupBy,
    userCode: options.userCode,
    cumulative: options.cumulative === true,
    top: options.top,
    notes: filterNotes(options),
  };
  checkSiteOptions(siteOptions);
  const traces = loadAll(files, options, io);
  if (traces.length < 2) {
    throw new AlloctraceError('ERR_USAGE', 'compare needs two traces (older, newer), or three or more for a series');
  }
  if (traces.length === 2) {
    const report = buildCompareReport(traces[0]!, traces[1]!, siteOptions);
    io.writeOut(options.json ? renderCompareJson(report) : renderCompareText(report));
  } else {
    const report = buildSeriesReport(traces, siteOptions);
    io.writeOut(options.json ? renderSeriesJson(report) : renderSeriesText(report));
  }
  return { exitCode: 0 };
}
