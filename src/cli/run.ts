/**
 * `alloctrace run`: start the program under the capture preload, pass its I/O, exit code and
 * signals through, then symbolize and report its trace.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { childEnvironment } from '../capture/children';
import { CONFIG_ENV, PID_TOKEN, type CaptureConfig } from '../capture/config';
import { AlloctraceError, describeError, isAlloctraceError } from '../errors';
import type { TraceFile, TraceMode } from '../trace/format';
import { selectIsolates, type IsolateSelector } from '../trace/merge';
import { readTraceFile } from '../trace/read';
import { isSpecialFile, writeTrace } from '../trace/write';
import { PRODUCER } from '../version';
import type { CliIo, Outcome } from './io';
import { formatWarnings, prepareTraces, renderTraceReport, type ReportOptions } from './present';
import { namedLoader, resolveEntry, typescriptLoader, type Entry } from './entry';
import { findProjectRoot } from './project-root';
import { finishSnapshots, prepareSnapshotDir, type SnapshotOptions } from './snapshot-dir';
import { nodeVersionOf } from './node-version';
import { keyboardSignalsReachUs } from './terminal';

export interface RunOptions extends ReportOptions, IsolateSelector {
  /** Trace Node child processes too; the script may then be any command. */
  children: boolean;
  /** Module node imports to run a `.ts` entry. */
  loader: string | null;
  interval: number;
  mode: TraceMode;
  output: string | null;
  force: boolean;
  node: string | null;
  /** `false` (`--no-inlining`): V8 keeps each function's allocations in its own frame. */
  inlining: boolean;
  /** `--exact-lines`: wrap allocating expressions so each gets its own frame (implies no inlining). */
  exactLines: boolean;
  /** `--snapshot-*`: numbered traces while the program runs; `null`: none. */
  snapshots?: SnapshotOptions | null;
}

/** V8 flags that turn inlining off (TurboFan and Maglev), checked on Node 20. */
export const NO_INLINING_FLAGS = ['--no-turbo-inlining', '--no-maglev-inlining'];

export const PRELOAD = path.join(__dirname, '..', 'capture', 'preload.js');

/** Signals the terminal sends to the whole foreground group: the program already has them. */
const KEYBOARD_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT']);
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const;

/** Fails before the program runs if `-o` could not be written afterwards. */
export function checkOutputPath(output: string, force: boolean): void {
  const dir = path.dirname(output);
  let dirStat: fs.Stats;
  try {
    dirStat = fs.statSync(dir);
  } catch (error) {
    throw new AlloctraceError('ERR_OUTPUT', `cannot write ${output}: folder ${dir}: ${describeError(error)}`);
  }
  if (!dirStat.isDirectory()) throw new AlloctraceError('ERR_OUTPUT', `cannot write ${output}: ${dir} is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new AlloctraceError('ERR_OUTPUT', `cannot write ${output}: folder ${dir} is not writable`);
  }
  if (fs.existsSync(output)) {
    if (fs.statSync(output).isDirectory()) throw new AlloctraceError('ERR_OUTPUT', `cannot write ${output}: it is a folder`);
    // A FIFO or device (`-o /dev/stdout`) is written to, not replaced: nothing to protect.
    if (!force && !isSpecialFile(output)) throw new AlloctraceError('ERR_OUTPUT', `${output} exists; use --force to replace it`);
  }
}

function waitForChild(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Node arguments (before the script) and the command that starts the program. */
function commandLine(entry: Entry, args: string[], options: RunOptions, io: CliIo): { file: string; args: string[] } {
  const node = options.node ?? process.execPath;
  // V8 flags go on node's command line (NODE_OPTIONS does not take them: a command's node children run without).
  const v8Flags = options.exactLines || !options.inlining ? NO_INLINING_FLAGS : [];
  switch (entry.kind) {
    case 'javascript': {
      const loader = options.loader === null ? [] : [namedLoader(entry.file, options.loader, io.cwd)];
      return { file: node, args: [...v8Flags, `--require=${PRELOAD}`, ...loader, entry.file, ...args] };
    }
    case 'typescript': {
      // The Node that runs the program decides whether it strips types, not the one running us.
      const loader = typescriptLoader(entry.file, options.loader, io.cwd, nodeVersionOf(node, io.env));
      return { file: node, args: [...v8Flags, `--require=${PRELOAD}`, ...(loader === null ? [] : [loader]), entry.file, ...args] };
    }
    case 'command':
      return { file: entry.command, args };
  }
}

export async function runCommand(script: string, args: string[], options: RunOptions, io: CliIo): Promise<Outcome> {
  const entry = resolveEntry(script, io.cwd, io.env, options.children);
  const output = options.output === null ? null : path.resolve(io.cwd, options.output);
  const outputIsFolder = output !== null && isFolder(output);
  if (output !== null && !outputIsFolder) checkOutputPath(output, options.force);
  const started = commandLine(entry, args, options, io);
  const snapshots = options.snapshots ?? null;
  const snapshotDir = snapshots === null ? null : prepareSnapshotDir(snapshots.dir, io.cwd, options.force);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-'));
  try {
    const config: CaptureConfig = {
      output: path.join(tmp, 'final.trace'),
      interval: options.interval,
      mode: options.mode,
      root: findProjectRoot(entry.kind === 'command' ? io.cwd : path.dirname(entry.file), io.cwd),
      argv: [script, ...args],
      producer: PRODUCER,
      children: options.children,
    };
    if (snapshots !== null && snapshotDir !== null) config.snapshots = { dir: snapshotDir, everyMs: snapshots.everyMs, signal: snapshots.signal };
    if (options.exactLines) config.exactLines = true;
    // A command (npm, npx, a shell script) is not node: each Node process it starts traces itself.
    const env: NodeJS.ProcessEnv =
      entry.kind === 'command'
        ? { ...io.env, ...childEnvironment({ ...config, snapshots: undefined, output: path.join(tmp, `${PID_TOKEN}.trace`) }, PRELOAD, io.env['NODE_OPTIONS']) }
        : { ...io.env, [CONFIG_ENV]: JSON.stringify(config) };
    const child = spawn(started.file, started.args, { stdio: 'inherit', cwd: io.cwd, env });
    const forwarders = FORWARDED_SIGNALS.map((signal) => {
      const forward = (): void => {
        if (KEYBOARD_SIGNALS.has(signal) && keyboardSignalsReachUs()) return;
        child.kill(signal);
      };
      process.on(signal, forward);
      return () => process.removeListener(signal, forward);
    });
    let ended: { code: number | null; signal: NodeJS.Signals | null };
    try {
      ended = await waitForChild(child);
    } catch (error) {
      throw new AlloctraceError('ERR_USAGE', `cannot start ${started.file}: ${describeError(error)}`);
    } finally {
      for (const remove of forwarders) remove();
    }
    const outcome: Outcome = ended.signal !== null ? { signal: ended.signal } : { exitCode: ended.code ?? 1 };
    const how = ended.signal !== null ? `the program was killed by ${ended.signal}` : `the program exited with code ${String(ended.code)}`;

    const traces: TraceFile[] = [];
    const files: string[] = [];
    for (const file of fs.readdirSync(tmp).filter((f) => f.endsWith('.trace') && !f.startsWith('.')).sort()) {
      try {
        traces.push(readTraceFile(path.join(tmp, file), { producer: PRODUCER }));
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
    const rootFile = entry.kind === 'command' ? `${child.pid ?? ''}.trace` : 'final.trace';
    // A command that is not node itself (sh, npm) writes no trace of its own: nothing to warn about.
    const rootIsNode = entry.kind !== 'command' || /^node(?:\.exe)?$|^nodejs$/i.test(path.basename(entry.command));
    if (!files.includes(rootFile) && rootIsNode) {
      io.writeErr(`alloctrace: warning: the program's own process wrote no trace (${how}); reporting the ${files.length} trace(s) of its threads and children\n`);
    }
    const prepared = prepareTraces(traces, options.sourceMaps);
    io.writeErr(formatWarnings(prepared.warnings));
    if (output !== null) {
      try {
        if (outputIsFolder) saveEach(output, files, prepared.traces, child.pid ?? 0, options.force);
        else writeTrace(output, prepared.trace, { overwrite: options.force });
      } catch (error) {
        io.writeErr(`alloctrace: cannot write ${options.output}: ${describeError(error)}\n`);
      }
    }
    try {
      const selected = selectIsolates(prepared.trace, options);
      io.writeErr(renderTraceReport({ trace: selected, warnings: prepared.warnings }, options));
    } catch (error) {
      // The program has run: its exit code still passes through.
      if (!isAlloctraceError(error)) throw error;
      io.writeErr(`alloctrace: ${error.message}\n`);
    }
    // The series is the program's main thread: its final trace ends it, not the merge of all.
    const own = prepared.traces[files.indexOf(rootFile)] ?? null;
    if (snapshots !== null && snapshotDir !== null) finishSnapshots(snapshotDir, snapshots.dir, own, io);
    return outcome;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
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
