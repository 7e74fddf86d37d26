/** Process entry of the CLI: runs it on process.argv and ends the process the same way. */
import { runCli } from './program';

async function main(): Promise<void> {
  const outcome = await runCli(process.argv.slice(2), {
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  });
  if ('signal' in outcome) {
    // End the way the traced program ended: by the same signal.
    process.removeAllListeners(outcome.signal);
    process.kill(process.pid, outcome.signal);
    return;
  }
  process.exitCode = outcome.exitCode;
}

main().catch((error: unknown) => {
  const debug = process.env['ALLOCTRACE_DEBUG'] !== undefined;
  process.stderr.write(`alloctrace: internal error: ${error instanceof Error ? (debug ? error.stack : error.message) : String(error)}\n`);
  if (!debug) process.stderr.write('alloctrace: set ALLOCTRACE_DEBUG=1 for the stack trace, and please report it\n');
  process.exitCode = 70;
});
