/**
 * The first stage: reading traces (files, folders, `.heapprofile`s) and handing them on through
 * `resolve.ts`, then merging the isolates of one run and picking some out.
 */
import { expandTracePaths } from '../trace/load-many';
import type { TraceFile } from '../trace/format';
import { mergeTraces, selectIsolates, type IsolateSelector } from '../trace/merge';
import { findProjectRoot } from '../trace/project-root';
import { readTraceFile, type ReadOptions } from '../trace/read';
import { PRODUCER } from '../version';
import type { Diagnostic } from './diagnostics';
import { resolveTraces, type ResolveOptions } from './resolve';

/**
 * How files given by a user in `cwd` are read: `.heapprofile`s record no root (the project
 * around `cwd` is taken) nor interval (`interval`, or node --heap-prof's default).
 */
export function readOptionsFor(cwd: string, interval: number | null = null): ReadOptions {
  const options: ReadOptions = { producer: PRODUCER, heapProfileRoot: findProjectRoot(cwd, cwd) };
  if (interval !== null) options.heapProfileInterval = interval;
  return options;
}

/** Files read by a user-facing name (as typed, or a folder's file under the folder's name). */
export interface NamedFile {
  name: string;
  path: string;
}

/** Each file of `paths` (files or folders, relative to `cwd`), read; a bad one is an `AlloctraceError`. */
export function readTraces(files: readonly NamedFile[], options: ReadOptions): TraceFile[] {
  // A V8 heap snapshot becomes an object trace (heap-snapshot/), read streaming: it can be large.
  return files.map((f) =>
    f.path.endsWith('.heapsnapshot')
      ? (require('../heap-snapshot/to-trace') as typeof import('../heap-snapshot/to-trace')).importHeapSnapshot(f.path, f.name, { root: options.heapProfileRoot ?? null, producer: options.producer })
      : readTraceFile(f.path, options, f.name),
  );
}

/** `paths` (files or folders) as named files, folders expanded. */
export function namedFiles(paths: readonly string[], cwd: string): NamedFile[] {
  return expandTracePaths(paths, cwd).map((full) => ({ name: full, path: full }));
}

export interface MergedTrace {
  /** Every isolate merged (a single trace as it is), then narrowed to the selected ones. */
  trace: TraceFile;
  /** The resolved traces before merging, in the given order. */
  traces: TraceFile[];
  diagnostics: Diagnostic[];
}

/** Read traces, each resolved, then merged into one and narrowed to the isolates `select` names. */
export function resolveAndMerge(traces: readonly TraceFile[], options: ResolveOptions & { select?: IsolateSelector }): MergedTrace {
  const resolved = resolveTraces(traces, options);
  const merged = mergeTraces(resolved.traces);
  return { trace: options.select === undefined ? merged : selectIsolates(merged, options.select), traces: resolved.traces, diagnostics: resolved.diagnostics };
}
