/** Process entry of the CLI: runs it on process.argv and ends the process the same way. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { writeAllSync } from '../trace/write';
import { runCli } from './program';

/**
 * Signals that would not end this process if it sent them to itself: Node ignores SIGPIPE and
 * SIGXFSZ, and starts an inspector (opening a port) on SIGUSR1. For these, the exit status a
 * shell shows for a death by that signal (128 + n) is the closest honest outcome.
 */
const NOT_FATAL_TO_NODE: ReadonlySet<string> = new Set(['SIGPIPE', 'SIGXFSZ', 'SIGUSR1']);

/** Signals whose default action dumps core (signal(7)). */
const CORE_DUMPING: ReadonlySet<string> = new Set(['SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGSYS', 'SIGXCPU']);

/**
 * Whether dying by a core-dumping signal could make this process dump core, which would replace
 * (or sit beside, as a fake crash of node) the program's own dump. Linux says it in /proc: no
 * core when the soft limit is 0 and the pattern is a file (a `|handler` pattern ignores the
 * limit). Elsewhere the default limit is 0.
 */
function mayDumpCore(): boolean {
  let limit: string | undefined;
  let pattern = '';
  try {
    limit = /^Max core file size\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1];
    pattern = fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
  } catch {
    return false;
  }
  return limit !== '0' || pattern.startsWith('|');
}

let reportLost = false;

/**
 * A reader of our output that went away (`alloctrace … 2>&1 | head -1`) must not turn the
 * program's exit code into ours: broken pipes are ignored, the rest of the output dropped. Any
 * other failure to write the report on stdout (a full disk) is said on stderr, exit 2.
 */
function tolerateClosedOutput(stream: NodeJS.WriteStream, isReport: boolean): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || !isReport) return;
    reportLost = true;
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 2;
    process.stderr.write(`alloctrace: cannot write the report: ${error.message}\n`);
  });
}

/**
 * Node writes a stream onto a file with one writeSync and drops the rest of a short write (a
 * full disk): the report is written to such a file byte for byte, or its failure said.
 */
function reportWriter(): (text: string) => void {
  let onFile = false;
  try {
    onFile = fs.fstatSync(1).isFile();
  } catch {
    // closed stdout: the stream reports that
  }
  if (!onFile) return (text) => process.stdout.write(text);
  return (text) => {
    if (reportLost) return;
    try {
      writeAllSync(1, text);
    } catch (error) {
      reportLost = true;
      process.stderr.write(`alloctrace: cannot write the report: ${(error as Error).message}\n`);
    }
  };
}

async function main(): Promise<void> {
  // Node answers SIGUSR1 by opening an inspector port; a listener stops that (`run` forwards it).
  process.on('SIGUSR1', () => undefined);
  tolerateClosedOutput(process.stdout, true);
  tolerateClosedOutput(process.stderr, false);
  const outcome = await runCli(process.argv.slice(2), {
    writeOut: reportWriter(),
    writeErr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  });
  if ('signal' in outcome) {
    // End the way the traced program ended: by the same signal.
    const number = os.constants.signals[outcome.signal];
    // A core dump of this CLI is no use to anyone, and it would overwrite the program's.
    if (NOT_FATAL_TO_NODE.has(outcome.signal) || (CORE_DUMPING.has(outcome.signal) && mayDumpCore())) {
      process.exitCode = 128 + number;
      return;
    }
    process.removeAllListeners(outcome.signal);
    process.kill(process.pid, outcome.signal);
    // Still here: the signal was ignored (inherited SIG_IGN) or is not fatal on this platform.
    setImmediate(() => process.exit(128 + number));
    return;
  }
  process.exitCode = reportLost && outcome.exitCode === 0 ? 2 : outcome.exitCode;
}

main().catch((error: unknown) => {
  const debug = process.env['ALLOCTRACE_DEBUG'] !== undefined;
  process.stderr.write(`alloctrace: internal error: ${error instanceof Error ? (debug ? error.stack : error.message) : String(error)}\n`);
  if (!debug) process.stderr.write('alloctrace: set ALLOCTRACE_DEBUG=1 for the stack trace, and please report it\n');
  process.exitCode = 70;
});
