/**
 * The snapshot folder of `run --snapshot-dir`: made ready before the program starts, completed
 * after it ends (snapshots symbolized in place, the final trace added as the last number).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snapshotFileName } from '../capture/snapshot-name';
import { AlloctraceError, describeError } from '../errors';
import type { TraceFile } from '../trace/format';
import { PRODUCER } from '../version';
import type { CliIo } from './io';
import { objectTraceOf } from './objects';

export interface SnapshotOptions {
  dir: string;
  everyMs: number | null;
  signal: NodeJS.Signals | null;
}

const SNAPSHOT_FILE = /^snapshot-(\d+)\.trace$/;
const LEFTOVER_TMP = /^\.snapshot-\d+\.trace\..*\.tmp$|^snapshot-\d+\.trace\.heapsnapshot\..*\.tmp$/;

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
    if (!fs.statSync(abs).isDirectory()) throw new AlloctraceError('ERR_OUTPUT', `cannot use --snapshot-dir ${dir}: not a folder`);
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (error) {
    if (error instanceof AlloctraceError) throw error;
    throw new AlloctraceError('ERR_OUTPUT', `cannot use --snapshot-dir ${dir}: ${describeError(error)}`);
  }
  lockSnapshotDir(abs, dir);
  const old = listSnapshots(abs);
  if (old.length > 0) {
    if (!force) {
      releaseSnapshotDir(abs);
      throw new AlloctraceError('ERR_OUTPUT', `${dir} already holds ${old.length} snapshot(s) of an earlier run; use another folder, or --force to replace them`);
    }
    for (const { file } of old) fs.rmSync(file, { force: true });
  }
  return abs;
}

/** Held by the run using the folder: it holds that CLI's pid. */
const LOCK_FILE = '.alloctrace-run.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder for this run (O_EXCL), so that two runs never write one series. A lock
 * whose run is gone (a CLI killed by SIGKILL) is taken over.
 */
function lockSnapshotDir(abs: string, shown: string): void {
  const lock = path.join(abs, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new AlloctraceError('ERR_OUTPUT', `cannot use --snapshot-dir ${shown}: ${describeError(error)}`);
    }
    let owner = NaN;
    try {
      owner = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
    } catch {
      // removed meanwhile: try again
    }
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new AlloctraceError('ERR_OUTPUT', `${shown} is in use by another alloctrace run (pid ${owner}); use another folder`);
    }
    fs.rmSync(lock, { force: true });
  }
  throw new AlloctraceError('ERR_OUTPUT', `${shown} is in use by another alloctrace run; use another folder`);
}

/** Frees the folder at the end of the run. */
export function releaseSnapshotDir(abs: string): void {
  fs.rmSync(path.join(abs, LOCK_FILE), { force: true });
}

/**
 * After the program ended: resolves source maps in the snapshots written in-process (so the
 * files stand alone), adds the final trace (when there is one) as the last number, and says
 * what the folder holds.
 */
export function finishSnapshots(dir: string, shownDir: string, final: TraceFile | null, io: CliIo): void {
  // Loaded here: preparing the folder (before the program starts) needs none of them.
  const { resolversFor, resolveTrace } = require('../pipeline/resolve') as typeof import('../pipeline/resolve');
  const { readTraceFile } = require('../trace/read') as typeof import('../trace/read');
  const { writeTrace } = require('../trace/write') as typeof import('../trace/write');
  for (const name of fs.readdirSync(dir)) {
    // Left by a write the program's death interrupted: never a trace.
    if (LEFTOVER_TMP.test(name)) fs.rmSync(path.join(dir, name), { force: true });
  }
  // One set of caches for the folder; a trace with in-memory maps gets a mapper that knows them.
  const resolvers = resolversFor([]);
  const snapshots = listSnapshots(dir);
  for (const { file } of snapshots) {
    try {
      const read = readTraceFile(file, { producer: PRODUCER });
      // `--types`/`--census`: the snapshot beside it makes it an object trace.
      const objects = objectTraceOf(read, file);
      const trace = objects ?? read;
      if (objects === null && !trace.scripts.some((s) => s.map === 'unresolved')) continue;
      // Maps a loader kept in memory travel in each trace: those need a mapper of their own.
      const own = trace.scripts.some((s) => s.memoryMap !== undefined) ? resolversFor([trace], resolvers.cache) : resolvers;
      writeTrace(file, resolveTrace(trace, { sourceMaps: true, resolvers: own }).trace, { overwrite: true });
    } catch (error) {
      io.writeErr(`alloctrace: warning: ${describeError(error)}\n`);
    }
  }
  const files = snapshots.map((s) => s.file);
  // The program may have changed its umask (process.umask(0)): its snapshots get the user's mode.
  const mode = 0o666 & ~process.umask();
  for (const file of files) {
    try {
      fs.chmodSync(file, mode);
    } catch {
      // gone meanwhile: listed below as far as it exists
    }
  }
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
