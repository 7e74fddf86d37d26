/**
 * Loading several traces at once: files and folders (every `*.trace` and `*.heapprofile` in a
 * folder, as `run --children` or `-o <folder>` leave them), for `show` and `compare`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlloctraceError, describeError } from '../errors';
import type { TraceFile } from './format';
import { mergeTraces } from './merge';
import { readTraceFile, type ReadOptions } from './read';

const TRACE_FILE = /\.(trace|heapprofile|heapsnapshot)$/;

/** Files named by `paths` (absolute, or relative to `cwd`), folders expanded, in a stable order. */
export function expandTracePaths(paths: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  for (const given of paths) {
    const full = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch (error) {
      throw new AlloctraceError('ERR_TRACE_READ', `cannot read ${given}: ${describeError(error)}`);
    }
    if (!stat.isDirectory()) {
      files.push(full);
      continue;
    }
    let names: string[];
    try {
      names = fs.readdirSync(full);
    } catch (error) {
      throw new AlloctraceError('ERR_TRACE_READ', `cannot read folder ${given}: ${describeError(error)}`);
    }
    // Hidden names are partial writes in progress (see writeFileAtomic).
    const found = names.filter((n) => TRACE_FILE.test(n) && !n.startsWith('.')).sort();
    if (found.length === 0) throw new AlloctraceError('ERR_TRACE_READ', `no .trace or .heapprofile files in folder ${given}`);
    files.push(...found.map((n) => path.join(full, n)));
  }
  return [...new Set(files)];
}

/** Reads every trace named by `paths` (files or folders); any bad file is an `AlloctraceError`. */
export function loadTraces(paths: readonly string[], cwd: string, options: ReadOptions): TraceFile[] {
  return expandTracePaths(paths, cwd).map((file) => readTraceFile(file, options));
}

/** Reads and merges: one trace with a thread label on every sample (see `mergeTraces`). */
export function loadMergedTrace(paths: readonly string[], cwd: string, options: ReadOptions): TraceFile {
  return mergeTraces(loadTraces(paths, cwd, options));
}
