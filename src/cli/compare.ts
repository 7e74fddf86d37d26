/**
 * `alloctrace compare`: two traces → what changed, site by site; three or more (snapshots of
 * one process, in order) → growth first → last and the sites that grew at every step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { uniqueDiagnostics } from '../pipeline/diagnostics';
import { readOptionsFor, readTraces, resolveAndMerge, type NamedFile } from '../pipeline/load';
import { changeView, checkChangeOptions, renderChangeReport, type ReportOptions } from '../pipeline/report';
import { pageOf, writeHtml } from './html';
import { Progress } from './progress';
import { resolversFor } from '../pipeline/resolve';
import type { TraceFile } from '../trace/format';
import { expandTracePaths } from '../trace/load-many';
import type { IsolateSelector } from '../trace/merge';
import type { CliIo, Outcome } from './io';
import { formatWarnings } from './present';

export interface CompareOptions extends ReportOptions, IsolateSelector {
  /** Interval to assume for `.heapprofile` input. */
  interval: number | null;
}

/**
 * What each compared trace is made of. A folder given with other arguments is one trace (its
 * files merged: one `run --children` or `-o <folder>` run); a folder given alone is a series of
 * its files, in name order (a `--snapshot-dir`).
 */
export function compareSides(args: readonly string[], cwd: string): Array<{ name: string; files: NamedFile[] }> {
  const isDir = (given: string): boolean => {
    try {
      return fs.statSync(path.resolve(cwd, given)).isDirectory();
    } catch {
      return false;
    }
  };
  const filesOf = (given: string): NamedFile[] =>
    expandTracePaths([given], cwd).map((full) => ({ name: isDir(given) ? path.join(given, path.basename(full)) : given, path: full }));
  if (args.length === 1 && isDir(args[0]!)) return filesOf(args[0]!).map((f) => ({ name: f.name, files: [f] }));
  return args.map((given) => ({ name: given, files: filesOf(given) }));
}

/** Reads and resolves (what was never resolved) every trace before any output. */
function loadAll(args: readonly string[], options: CompareOptions, io: CliIo): Array<{ name: string; trace: TraceFile }> {
  const readOptions = readOptionsFor(io.cwd, options.interval);
  const sides = compareSides(args, io.cwd).map(({ name, files }) => ({ name, traces: readTraces(files, readOptions) }));
  // Snapshots of one process share scripts: one set of caches maps and parses each script once.
  const resolvers = resolversFor(sides.flatMap((s) => s.traces));
  const loaded = sides.map(({ name, traces }) => ({ name, ...resolveAndMerge(traces, { sourceMaps: options.sourceMaps, resolvers, select: options }) }));
  io.writeErr(formatWarnings(uniqueDiagnostics(loaded.flatMap((l) => l.diagnostics))));
  return loaded.map(({ name, trace }) => ({ name, trace }));
}

export function compareCommand(files: readonly string[], options: CompareOptions, io: CliIo): Outcome {
  checkChangeOptions(options);
  // A series or a diff: `renderChangeReport` says when there are too few traces for either.
  const progress = new Progress(io);
  const traces = loadAll(files, options, io);
  progress.step(`read and resolved ${traces.length} traces`);
  progress.end();
  if (options.html != null) {
    const { view, traces: shown } = changeView(traces, options);
    writeHtml(options.html, pageOf(view, shown.map((t) => t.trace), ['alloctrace compare', ...files].join(' ')), io);
    return { exitCode: 0 };
  }
  io.writeOut(renderChangeReport(traces, options));
  return { exitCode: 0 };
}
