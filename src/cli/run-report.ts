/**
 * `alloctrace run` after the program ended: read the traces it wrote, resolve and report them.
 * Loaded while the program runs (src/cli/run.ts), so its loading is hidden behind the program's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeError, isAlloctraceError } from '../errors';
import type { TraceFile } from '../trace/format';
import { selectIsolates } from '../trace/merge';
import { readTraceFile } from '../trace/read';
import { writeTrace } from '../trace/write';
import { escapeControl } from '../report/escape';
import { PRODUCER } from '../version';
import type { CliIo, Outcome } from './io';
import { resolveAndMerge } from '../pipeline/load';
import { renderTraceReport, statisticsView } from '../pipeline/report';
import { pageOf, writeHtml } from './html';
import { formatWarnings } from './present';
import { objectTraceOf } from './objects';
import type { Entry } from './entry';
import { finishSnapshots, type SnapshotOptions } from './snapshot-dir';
import type { RunOptions } from './run';

export interface FinishedRun {
  /** The run's private folder the program wrote its traces into. */
  tmp: string;
  entry: Entry;
  script: string;
  args: string[];
  options: RunOptions;
  /** `-o`, resolved; `null` without. */
  output: string | null;
  outputIsFolder: boolean;
  snapshots: SnapshotOptions | null;
  snapshotDir: string | null;
  ended: { code: number | null; signal: NodeJS.Signals | null };
  /** How the CLI ends: the program's exit code or signal. */
  outcome: Outcome;
  /** The pid of the process the CLI started. */
  rootPid: number | null;
}

export function reportRun(run: FinishedRun, io: CliIo): Outcome {
  const { tmp, entry, script, args, options, output, outputIsFolder, snapshots, snapshotDir, ended, outcome, rootPid } = run;
  const how = ended.signal !== null ? `the program was killed by ${ended.signal}` : `the program exited with code ${String(ended.code)}`;
  const traces: TraceFile[] = [];
  const files: string[] = [];
  for (const file of fs.readdirSync(tmp).filter((f) => f.endsWith('.trace') && !f.startsWith('.')).sort()) {
    try {
      const read = readTraceFile(path.join(tmp, file), { producer: PRODUCER });
      // `--types`/`--census`: the heap snapshot written beside it makes it an object trace.
      const trace = objectTraceOf(read, path.join(tmp, file)) ?? read;
      addPeakEnd(trace, path.join(tmp, file));
      traces.push(trace);
      files.push(file);
    } catch (error) {
      // One unreadable trace (a process that died mid-way) must not cost the others, nor the exit code.
      if (!isAlloctraceError(error)) throw error;
      io.writeErr(`alloctrace: warning: ${error.message}\n`);
    }
  }
  if (files.length === 0) {
    const hint = snapshots === null && ended.signal !== null ? ' (--snapshot-dir <dir> --snapshot-every <period> keeps snapshots that survive a crash)' : '';
    io.writeErr(`alloctrace: no trace was written: ${how} before alloctrace could write one${hint}\n`);
    if (snapshots !== null && snapshotDir !== null) finishSnapshots(snapshotDir, snapshots.dir, null, io);
    return outcome;
  }
  const rootFile = entry.kind === 'command' ? `${rootPid ?? ''}.trace` : 'final.trace';
  // A command that is not node itself (sh, npm) writes no trace of its own: nothing to warn about.
  const rootIsNode = entry.kind !== 'command' || /^node(?:\.exe)?$|^nodejs$/i.test(path.basename(entry.command));
  if (!files.includes(rootFile) && rootIsNode) {
    io.writeErr(`alloctrace: warning: the program's own process wrote no trace (${how}); reporting the ${files.length} trace(s) of its threads and children\n`);
  }
  const prepared = resolveAndMerge(traces, { sourceMaps: options.sourceMaps });
  io.writeErr(formatWarnings(prepared.diagnostics));
  if (output !== null) {
    try {
      if (outputIsFolder) saveEach(output, files, prepared.traces, rootPid ?? 0, options.force);
      else writeTrace(output, prepared.trace, { overwrite: options.force });
    } catch (error) {
      io.writeErr(`alloctrace: cannot write ${options.output}: ${describeError(error)}\n`);
    }
  }
  try {
    const selected = selectIsolates(prepared.trace, options);
    if (options.html != null) {
      const { view, trace: shown } = statisticsView(selected, prepared.diagnostics, options);
      writeHtml(options.html, pageOf(view, [shown], ['alloctrace run', script, ...args].join(' ')), io);
    } else {
      io.writeErr(renderTraceReport(selected, prepared.diagnostics, options));
    }
  } catch (error) {
    // The program has run: its exit code still passes through.
    if (!isAlloctraceError(error)) throw error;
    io.writeErr(`alloctrace: ${escapeControl(error.message)}\n`);
  }
  // The series is the program's main thread: its final trace ends it, not the merge of all.
  const own = prepared.traces[files.indexOf(rootFile)] ?? null;
  if (snapshots !== null && snapshotDir !== null) finishSnapshots(snapshotDir, snapshots.dir, own, io);
  return outcome;
}

/** A peak trace written before the end: the program's end left the heap size then beside it. */
function addPeakEnd(trace: TraceFile, file: string): void {
  const heap = trace.meta.heap;
  if (trace.meta.reason !== 'peak' || heap === undefined || heap.endUsed !== null) return;
  try {
    const end = JSON.parse(fs.readFileSync(`${file}.end.json`, 'utf8')) as { endUsed?: unknown; endTime?: unknown };
    if (typeof end.endUsed === 'number' && typeof end.endTime === 'string') trace.meta.heap = { ...heap, endUsed: end.endUsed, endTime: end.endTime };
  } catch {
    // The program did not end normally: the end is unknown.
  }
}


/** `-o <folder>`: every isolate's trace under its own name (`<pid>.trace`, `<pid>.worker-<id>.trace`). */
function saveEach(folder: string, files: readonly string[], traces: readonly TraceFile[], rootPid: number, force: boolean): void {
  files.forEach((file, i) => {
    const name = file.startsWith('final.') ? `${rootPid}${file.slice('final'.length)}` : file;
    const trace = traces[i];
    if (trace !== undefined) writeTrace(path.join(folder, name), trace, { overwrite: force });
  });
}
