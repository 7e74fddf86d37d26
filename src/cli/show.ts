/** `alloctrace show`: report saved traces (files or folders, merged) or V8 `.heapprofile`s. */
import { loadMergedTrace } from '../trace/load-many';
import { selectIsolates, type IsolateSelector } from '../trace/merge';
import type { ReadOptions } from '../trace/read';
import { PRODUCER } from '../version';
import type { CliIo, Outcome } from './io';
import { findProjectRoot } from './project-root';
import { formatWarnings, prepareTrace, renderTraceReport, type ReportOptions } from './present';

export interface ShowOptions extends ReportOptions, IsolateSelector {
  /** Interval to assume for `.heapprofile` input (they do not record it). */
  interval: number | null;
}

export function showCommand(files: string | readonly string[], options: ShowOptions, io: CliIo): Outcome {
  const readOptions: ReadOptions = { producer: PRODUCER, heapProfileRoot: findProjectRoot(io.cwd, io.cwd) };
  if (options.interval !== null) readOptions.heapProfileInterval = options.interval;
  const merged = loadMergedTrace(typeof files === 'string' ? [files] : files, io.cwd, readOptions);
  const trace = selectIsolates(merged, options);
  // A saved trace stores resolved positions already: only what was never resolved is resolved.
  const prepared = prepareTrace(trace, options.sourceMaps);
  io.writeErr(formatWarnings(prepared.warnings));
  io.writeOut(renderTraceReport(prepared, options));
  return { exitCode: 0 };
}
