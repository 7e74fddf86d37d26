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
import { observerReady, observerStarting, reclaim, sendRequest, takeOwnSignal } from '../capture/control';
import { AlloctraceError, describeError } from '../errors';
import type { TraceMode } from '../trace/format';
import type { IsolateSelector } from '../trace/merge';
import { PRODUCER } from '../version';
import type { CliIo, Outcome } from './io';
import type { ReportOptions } from '../pipeline/report';
import { checkOutputPath } from './output';
import { namedLoader, resolveEntry, typescriptLoader, type Entry } from './entry';
import { findProjectRoot } from '../trace/project-root';
import { prepareSnapshotDir, releaseSnapshotDir, type SnapshotOptions } from './snapshot-dir';
import { nodeVersionOf } from './node-version';
import { keyboardSignalsReachUs } from './terminal';

export interface RunOptions extends ReportOptions, IsolateSelector {
  /** Trace Node child processes too; the script may then be any command. */
  children: boolean;
  /** Module node imports to run a `.ts` entry. */
  loader: string | null;
  interval: number;
  /** `peak`: a live trace taken at the high-water mark of the heap. */
  mode: TraceMode | 'peak';
  output: string | null;
  force: boolean;
  node: string | null;
  /** `false` (`--no-inlining`): V8 keeps each function's allocations in its own frame. */
  inlining: boolean;
  /** `--allocation-folding`: keep V8's allocation folding (off by default, see capture/allocation-folding.ts). */
  allocationFolding?: boolean;
  /** `--exact-lines`: wrap allocating expressions so each gets its own frame (implies no inlining). */
  exactLines: boolean;
  /** `--snapshot-*`: numbered traces while the program runs; `null`: none. */
  snapshots?: SnapshotOptions | null;
  /** `--types`: objects by kind at their allocating stacks (node runs with --track-heap-objects); `--census`: by kind only. */
  objects?: 'tracked' | 'census' | null;
}

/** The V8 flag that records each object's allocating stack for heap snapshots. */
export const TRACK_OBJECTS_FLAG = '--track-heap-objects';

/** V8 flags that turn inlining off (TurboFan and Maglev), checked on Node 20. */
export const NO_INLINING_FLAGS = ['--no-turbo-inlining', '--no-maglev-inlining'];

export const PRELOAD = path.join(__dirname, '..', 'capture', 'preload.js');

/** Signals the terminal sends to the whole foreground group: the program already has them. */
const KEYBOARD_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT']);
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
/**
 * Signals passed through the program's observer thread, which acts on them even while the main
 * thread runs synchronous code (a JS signal listener would wait for the event loop): the trace
 * or snapshot is taken, then the program gets the signal. SIGQUIT is sent straight on.
 */
const OBSERVED_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR2']);
/** An observer that has not claimed a request by then is not running: the signal is sent the old way. */
const OBSERVER_CLAIM_MS = 1000;
/** How long a signal waits for an observer that was started but is not ready yet (a loaded machine). */
const OBSERVER_START_MS = 10_000;


/**
 * The code that reads and reports the traces, loaded on first use. `run` starts loading it as
 * soon as the program is started, so that its loading runs beside the program's, not after it.
 */
const reportModule = (): typeof import('./run-report') => require('./run-report') as typeof import('./run-report');

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
  const v8Flags = [...(options.exactLines || !options.inlining ? NO_INLINING_FLAGS : []), ...(options.objects === 'tracked' ? [TRACK_OBJECTS_FLAG] : [])];
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

/** The environment the CLI itself runs in, checked before anything is started. */
function checkEnvironment(options: RunOptions): void {
  // NODE_OPTIONS applies to the CLI too: under the permission model it can write no trace.
  if ((process as { permission?: unknown }).permission !== undefined) {
    throw new AlloctraceError('ERR_USAGE', "cannot run under Node's permission model (--permission in NODE_OPTIONS): alloctrace must write traces and start the program; remove it from NODE_OPTIONS");
  }
  if (options.node === '') throw new AlloctraceError('ERR_USAGE', '--node needs the path of a node binary (got an empty string)');
}

/** The run's private folder for the traces the program writes. */
function makeRunFolder(): string {
  try {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-'));
  } catch (error) {
    throw new AlloctraceError('ERR_OUTPUT', `cannot create a temporary folder in ${os.tmpdir()} (set TMPDIR to a writable folder): ${describeError(error)}`);
  }
}

export async function runCommand(script: string, args: string[], options: RunOptions, io: CliIo): Promise<Outcome> {
  checkEnvironment(options);
  const entry = resolveEntry(script, io.cwd, io.env, options.children);
  const output = options.output === null ? null : path.resolve(io.cwd, options.output);
  const outputIsFolder = output !== null && isFolder(output);
  if (output !== null && !outputIsFolder) checkOutputPath(output, options.force);
  // A page that cannot be written is said before the program runs, not after.
  if (options.html != null) checkOutputPath(path.resolve(io.cwd, options.html), true);
  const started = commandLine(entry, args, options, io);
  const snapshots = options.snapshots ?? null;
  const snapshotDir = snapshots === null ? null : prepareSnapshotDir(snapshots.dir, io.cwd, options.force);

  let tmp: string;
  try {
    tmp = makeRunFolder();
  } catch (error) {
    if (snapshotDir !== null) releaseSnapshotDir(snapshotDir);
    throw error;
  }
  try {
    // Only a Node entry has an observer to talk to; a command's processes get signals the old way.
    const control = entry.kind === 'command' ? null : path.join(tmp, 'control');
    if (control !== null) fs.mkdirSync(control);
    const config: CaptureConfig = {
      output: path.join(tmp, 'final.trace'),
      interval: options.interval,
      mode: options.mode === 'peak' ? 'live' : options.mode,
      root: findProjectRoot(entry.kind === 'command' ? io.cwd : path.dirname(entry.file), io.cwd),
      argv: [script, ...args],
      producer: PRODUCER,
      children: options.children,
    };
    if (snapshots !== null && snapshotDir !== null) config.snapshots = { dir: snapshotDir, everyMs: snapshots.everyMs, signal: snapshots.signal };
    if (options.exactLines) config.exactLines = true;
    if (options.allocationFolding === true) config.allocationFolding = true;
    // The program node runs for us dies with us (a command's processes are not our children).
    if (entry.kind !== 'command') config.parentPid = process.pid;
    if (options.mode === 'peak') config.peak = true;
    if (options.objects != null) config.objects = options.objects;
    if (control !== null) config.control = { dir: control, cliPid: process.pid };
    // A command (npm, npx, a shell script) is not node: each Node process it starts traces itself.
    const env: NodeJS.ProcessEnv =
      entry.kind === 'command'
        ? { ...io.env, ...childEnvironment({ ...config, snapshots: undefined, output: path.join(tmp, `${PID_TOKEN}.trace`) }, PRELOAD, io.env['NODE_OPTIONS']) }
        : { ...io.env, [CONFIG_ENV]: JSON.stringify(config) };
    const child = spawn(started.file, started.args, { stdio: 'inherit', cwd: io.cwd, env });
    const forwarders = FORWARDED_SIGNALS.map((signal) => {
      const forward = (): void => {
        // The program signalled us itself (D13): it is not sent back to it.
        if (control !== null && takeOwnSignal(control, signal)) return;
        const delivered = KEYBOARD_SIGNALS.has(signal) && keyboardSignalsReachUs();
        const send = (): void => {
          if (!delivered && child.exitCode === null && child.signalCode === null) child.kill(signal);
        };
        if (control === null || !OBSERVED_SIGNALS.has(signal) || !observerStarting(control)) return send();
        // The observer acts even while the program runs synchronous code, where a forwarded signal
        // would wait for its event loop: give one that is still starting the time to be ready.
        const waitUntil = Date.now() + OBSERVER_START_MS;
        const viaObserver = (): void => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          if (!observerReady(control)) {
            if (Date.now() < waitUntil) setTimeout(viaObserver, 20).unref();
            else send();
            return;
          }
          const request = sendRequest(control, { signal, delivered });
          setTimeout(() => {
            if (reclaim(request)) send();
          }, OBSERVER_CLAIM_MS).unref();
        };
        viaObserver();
      };
      process.on(signal, forward);
      return () => process.removeListener(signal, forward);
    });
    // The child is starting on another core: load the report code now, while it does.
    const preload = setImmediate(reportModule);
    let ended: { code: number | null; signal: NodeJS.Signals | null };
    try {
      ended = await waitForChild(child);
    } catch (error) {
      throw new AlloctraceError('ERR_USAGE', `cannot start ${started.file}: ${describeError(error)}`);
    } finally {
      for (const remove of forwarders) remove();
      clearImmediate(preload);
    }
    const outcome: Outcome = ended.signal !== null ? { signal: ended.signal } : { exitCode: ended.code ?? 1 };

    return reportModule().reportRun({ tmp, entry, script, args, options, output, outputIsFolder, snapshots, snapshotDir, ended, outcome, rootPid: child.pid ?? null }, io);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (snapshotDir !== null) releaseSnapshotDir(snapshotDir);
  }
}

function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
