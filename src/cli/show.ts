/** `alloctrace show`: report saved traces (files or folders, merged) or V8 `.heapprofile`s. */
import { namedFiles, readOptionsFor, readTraces, resolveAndMerge } from '../pipeline/load';
import { renderTraceReport, statisticsView, type ReportOptions } from '../pipeline/report';
import { pageOf, writeHtml } from './html';
import type { IsolateSelector } from '../trace/merge';
import type { CliIo, Outcome } from './io';
import { formatWarnings } from './present';
import { Progress } from './progress';

export interface ShowOptions extends ReportOptions, IsolateSelector {
  /** Interval to assume for `.heapprofile` input (they do not record it). */
  interval: number | null;
}

export function showCommand(files: string | readonly string[], options: ShowOptions, io: CliIo): Outcome {
  const progress = new Progress(io);
  const read = readTraces(namedFiles(typeof files === 'string' ? [files] : files, io.cwd), readOptionsFor(io.cwd, options.interval));
  // A saved trace stores resolved positions already: only what was never resolved is resolved.
  progress.step(`read ${read.length} trace(s)`);
  const { trace, diagnostics } = resolveAndMerge(read, { sourceMaps: options.sourceMaps, select: options });
  progress.step('resolved source maps and lines');
  progress.end();
  io.writeErr(formatWarnings(diagnostics));
  if (options.html != null) {
    const { view, trace: shown } = statisticsView(trace, diagnostics, options);
    writeHtml(options.html, pageOf(view, [shown], ['alloctrace show', ...(typeof files === 'string' ? [files] : files)].join(' ')), io);
    return { exitCode: 0 };
  }
  io.writeOut(renderTraceReport(trace, diagnostics, options));
  return { exitCode: 0 };
}
