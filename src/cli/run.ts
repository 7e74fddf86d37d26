/**
 * `alloctrace run`: start the program under the capture preload, pass its I/O, exit code and
 * signals through, then symbolize and report its trace.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_ENV, type CaptureConfig } from '../capture/config';
import { AlloctraceError, describeError } from '../errors';
import type { TraceMode } from '../trace/format';
import { readTraceFile } from '../trace/read';
import { writeTrace } from '../trace/write';
import { PRODUCER } from '../version';
import type { CliIo, Outcome } from './io';
import { formatWarnings, prepareTrace, renderTraceReport, type ReportOptions } from './present';
import { findProjectRoot } from './project-root';
import { finishSnapshots, prepareSnapshotDir, type SnapshotOptions } from './snapshot-dir';
import { checkTypeScriptEntry } from './typescript-entry';

export interface RunOptions extends ReportOptions {
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

export function resolveScript(script: string, cwd: string): string {
  const file = path.resolve(cwd, script);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (stat?.isFile() === true) return file;
  // `node app` also finds app.js / app/index.js: accept what Node's resolver accepts.
  try {
    return require.resolve(file);
  } catch {
    throw new AlloctraceError('ERR_SCRIPT_NOT_FOUND', `script not found: ${script}`);
  }
}

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
    if (!force) throw new AlloctraceError('ERR_OUTPUT', `${output} exists; use --force to replace it`);
  }
}

function waitForChild(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export async function runCommand(script: string, args: string[], options: RunOptions, io: CliIo): Promise<Outcome> {
  const scriptPath = resolveScript(script, io.cwd);
  const output = options.output === null ? null : path.resolve(io.cwd, options.output);
  if (output !== null) checkOutputPath(output, options.force);
  const node = options.node ?? process.execPath;
  checkTypeScriptEntry(scriptPath, node, io.env);
  const snapshots = options.snapshots ?? null;
  const snapshotDir = snapshots === null ? null : prepareSnapshotDir(snapshots.dir, io.cwd, options.force);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-'));
  try {
    const config: CaptureConfig = {
      output: path.join(tmp, 'final.trace'),
      interval: options.interval,
      mode: options.mode,
      root: findProjectRoot(path.dirname(scriptPath), io.cwd),
      argv: [script, ...args],
      producer: PRODUCER,
    };
    if (snapshots !== null && snapshotDir !== null) config.snapshots = { dir: snapshotDir, everyMs: snapshots.everyMs, signal: snapshots.signal };
    if (options.exactLines) config.exactLines = true;
    const v8Flags = options.exactLines || !options.inlining ? NO_INLINING_FLAGS : [];
    const child = spawn(node, [...v8Flags, `--require=${PRELOAD}`, scriptPath, ...args], {
      stdio: 'inherit',
      cwd: io.cwd,
      env: { ...io.env, [CONFIG_ENV]: JSON.stringify(config) },
    });
    const forwarders = FORWARDED_SIGNALS.map((signal) => {
      const forward = (): void => {
        if (KEYBOARD_SIGNALS.has(signal) && process.stdin.isTTY === true) return;
        child.kill(signal);
      };
      process.on(signal, forward);
      return () => process.removeListener(signal, forward);
    });
    let ended: { code: number | null; signal: NodeJS.Signals | null };
    try {
      ended = await waitForChild(child);
    } catch (error) {
      throw new AlloctraceError('ERR_USAGE', `cannot start ${node}: ${describeError(error)}`);
    } finally {
      for (const remove of forwarders) remove();
    }
    const outcome: Outcome = ended.signal !== null ? { signal: ended.signal } : { exitCode: ended.code ?? 1 };

    if (!fs.existsSync(config.output)) {
      const how = ended.signal !== null ? `the program was killed by ${ended.signal}` : `the program exited with code ${String(ended.code)}`;
      io.writeErr(`alloctrace: no trace was written: ${how} before alloctrace could write one\n`);
      if (snapshots !== null && snapshotDir !== null) finishSnapshots(snapshotDir, snapshots.dir, null, io);
      return outcome;
    }
    const prepared = prepareTrace(readTraceFile(config.output, { producer: PRODUCER }), options.sourceMaps);
    io.writeErr(formatWarnings(prepared.warnings));
    if (output !== null) {
      try {
        writeTrace(output, prepared.trace, { overwrite: options.force });
      } catch (error) {
        io.writeErr(`alloctrace: cannot write ${options.output}: ${describeError(error)}\n`);
      }
    }
    io.writeErr(renderTraceReport(prepared, options));
    if (snapshots !== null && snapshotDir !== null) finishSnapshots(snapshotDir, snapshots.dir, prepared.trace, io);
    return outcome;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
