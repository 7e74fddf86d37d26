/** Process entry of the CLI: runs it on process.argv and ends the process the same way. */
import * as os from 'node:os';
import { runCli } from './program';

/**
 * Signals that would not end this process if it sent them to itself: Node ignores SIGPIPE and
 * SIGXFSZ, and starts an inspector (opening a port) on SIGUSR1. For these, the exit status a
 * shell shows for a death by that signal (128 + n) is the closest honest outcome.
 */
const NOT_FATAL_TO_NODE: ReadonlySet<string> = new Set(['SIGPIPE', 'SIGXFSZ', 'SIGUSR1']);

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

async function main(): Promise<void> {
  tolerateClosedOutput(process.stdout, true);
  tolerateClosedOutput(process.stderr, false);
  const outcome = await runCli(process.argv.slice(2), {
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  });
  if ('signal' in outcome) {
    // End the way the traced program ended: by the same signal.
    const number = os.constants.signals[outcome.signal];
    if (NOT_FATAL_TO_NODE.has(outcome.signal)) {
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
