/**
 * `alloctrace run` killed by SIGKILL (or an OOM killer, or a CI timeout's last resort) cannot
 * stop its program, and Node has no PR_SET_PDEATHSIG. Under plain node the program *is* the
 * process that was killed, so the preload of the program `run` started watches its parent and,
 * once that has gone (the program was re-parented), removes the run's temporary folder (no one
 * will read it) and dies by SIGKILL too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** How often the parent is checked: `getppid` is cheap; an orphan lives at most this long (plus a busy stretch). */
const CHECK_MS = 250;

export function dieWithParent(parentPid: number, runFolder: string): void {
  if (process.ppid !== parentPid) return;
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    // Only the CLI's own temporary folder, never a user's path.
    if (path.basename(runFolder).startsWith('alloctrace-')) fs.rmSync(runFolder, { recursive: true, force: true });
    process.kill(process.pid, 'SIGKILL');
  }, CHECK_MS);
  timer.unref();
}
