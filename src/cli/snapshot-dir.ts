/**
 * The snapshot folder of `run --snapshot-dir`: made ready before the program starts, completed
 * after it ends (snapshots symbolized in place, the final trace added as the last number).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snapshotFileName } from '../capture/snapshots';
import { AlloctraceError, describeError } from '../errors';
import { SourceMapper } from '../symbolize/mapper';
import { memoryMapsOf } from '../symbolize/symbolize';
import { CodeCache } from '../lines/code-cache';
import { resolveTrace } from './present';
import type { TraceFile } from '../trace/format';
import { readTraceFile } from '../trace/read';
import { writeTrace } from '../trace/write';
import { PRODUCER } from '../version';
import type { CliIo } from './io';

export interface SnapshotOptions {
  dir: string;
  everyMs: number | null;
  signal: NodeJS.Signals | null;
}

const SNAPSHOT_FILE = /^snapshot-(\d+)\.trace$/;
const LEFTOVER_TMP = /^\.snapshot-\d+\.trace\..*\.tmp$/;

function listSnapshots(dir: string): Array<{ file: string; sequence: number }> {
  return fs
    .readdirSync(dir)
    .flatMap((name) => {
      const match = SNAPSHOT_FILE.exec(name);
      return match === null ? [] : [{ file: path.join(dir, name), sequence: Number(match[1]) }];
    })
    .sort((a, b) => a.sequence - b.sequence);
}

/**
 * `mkdir -p`, one level at a time: Node 20's recursive mkdirSync loops for ever under `/proc`
 * (where mkdir answers ENOENT for a parent that exists).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) fs.mkdirSync(d);
}

/**
 * Creates the folder if needed. Snapshots of an earlier run there would mix two runs into one
 * series: refused, or removed with `--force`.
 */
export function prepareSnapshotDir(dir: string, cwd: string, force: boolean): string {
  const abs = path.resolve(cwd, dir);
  try {
    makeFolders(abs);
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (error) {
    throw new AlloctraceError('ERR_OUTPUT', `cannot use --snapshot-dir ${dir}: ${describeError(error)}`);
  }
  const old = listSnapshots(abs);
  if (old.length > 0) {
    if (!force) throw new AlloctraceError('ERR_OUTPUT', `${dir} already holds ${old.length} snapshot(s) of an earlier run; use another folder, or --force to replace them`);
    for (const { file } of old) fs.rmSync(file, { force: true });
  }
  return abs;
}

/**
 * After the program ended: resolves source maps in the snapshots written in-process (so the
 * files stand alone), adds the final trace (when there is one) as the last number, and says
 * what the folder holds.
 */
export function finishSnapshots(dir: string, shownDir: string, final: TraceFile | null, io: CliIo): void {
  for (const name of fs.readdirSync(dir)) {
    // Left by a write the program's death interrupted: never a trace.
    if (LEFTOVER_TMP.test(name)) fs.rmSync(path.join(dir, name), { force: true });
  }
  const resolvers = { mapper: new SourceMapper(), cache: new CodeCache() };
  const snapshots = listSnapshots(dir);
  for (const { file } of snapshots) {
    try {
      const trace = readTraceFile(file, { producer: PRODUCER });
      if (!trace.scripts.some((s) => s.map === 'unresolved')) continue;
      // Maps a loader kept in memory travel in each trace: those need a mapper of their own.
      const own = trace.scripts.some((s) => s.memoryMap !== undefined) ? { ...resolvers, mapper: new SourceMapper({ memoryMaps: memoryMapsOf(trace) }) } : resolvers;
      writeTrace(file, resolveTrace(trace, own).trace, { overwrite: true });
    } catch (error) {
      io.writeErr(`alloctrace: warning: ${describeError(error)}\n`);
    }
  }
  const files = snapshots.map((s) => s.file);
  if (final !== null) {
    const sequence = (snapshots[snapshots.length - 1]?.sequence ?? 0) + 1;
    const file = path.join(dir, snapshotFileName(sequence));
    try {
      writeTrace(file, { ...final, meta: { ...final.meta, sequence } }, { overwrite: false });
      files.push(file);
    } catch (error) {
      io.writeErr(`alloctrace: cannot write ${file}: ${describeError(error)}\n`);
    }
  }
  const shown = files.map((f) => path.join(shownDir, path.basename(f)));
  if (shown.length === 0) {
    io.writeErr(`alloctrace: no snapshots in ${shownDir}\n`);
  } else {
    const range = shown.length === 1 ? shown[0] : `${shown[0]} … ${shown[shown.length - 1]}`;
    const last = final !== null ? ', the last at exit' : '';
    io.writeErr(`alloctrace: ${shown.length} snapshot(s): ${range}${last}; compare them with: alloctrace compare ${path.join(shownDir, 'snapshot-*.trace')}\n`);
  }
}
