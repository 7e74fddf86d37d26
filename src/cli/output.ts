/** Output files of the commands: checked before any work is done, so a typo costs nothing. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlloctraceError, describeError } from '../errors';
import { isSpecialFile, writeTarget } from '../trace/write';

/** Fails before the program runs (or a trace is read) if `output` could not be written afterwards. */
export function checkOutputPath(output: string, force: boolean): void {
  let target: string;
  try {
    // A symlink is written through, a dangling one too: what matters is where it leads.
    target = writeTarget(output);
  } catch (error) {
    throw new AlloctraceError('ERR_OUTPUT', `cannot write ${output}: ${describeError(error)}`);
  }
  const dir = path.dirname(target);
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
  if (fs.existsSync(target)) {
    if (fs.statSync(target).isDirectory()) throw new AlloctraceError('ERR_OUTPUT', `cannot write ${output}: it is a folder`);
    // A FIFO or device (`-o /dev/stdout`) is written to, not replaced: nothing to protect.
    if (!force && !isSpecialFile(target)) throw new AlloctraceError('ERR_OUTPUT', `${output} exists; use --force to replace it`);
  }
}
