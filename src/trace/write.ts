/**
 * Writing trace files: compact JSON, written atomically (temporary file in the same folder,
 * then rename), so a reader never sees half a file, even if the writer dies mid-write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TraceFile } from './format';

export function serializeTrace(trace: TraceFile): string {
  return JSON.stringify(trace);
}

export interface WriteOptions {
  /** Replace an existing file. Without it, an existing file is an error (`EEXIST`). */
  overwrite: boolean;
}

/** Writes `text` to `file` atomically. Throws the `fs` error on failure. */
export function writeFileAtomic(file: string, text: string, options: WriteOptions): void {
  // A symlink is written through (the link stays); a FIFO or device (`-o /dev/stdout`) is
  // written in place: replacing either by a new file would lose what the user pointed at.
  if (isSpecialFile(file)) {
    fs.writeFileSync(file, text);
    return;
  }
  const target = realTarget(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (options.overwrite) {
      fs.renameSync(tmp, target);
    } else {
      // link() fails if the target exists: no window where another file could be replaced.
      fs.linkSync(tmp, target);
      fs.unlinkSync(tmp);
    }
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/** `file` with symlinks resolved, as far as they lead to something that exists. */
function realTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** Exists and is neither a regular file nor a folder: a FIFO, a device, a socket. */
export function isSpecialFile(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    return !stat.isFile() && !stat.isDirectory();
  } catch {
    return false;
  }
}

export function writeTrace(file: string, trace: TraceFile, options: WriteOptions): void {
  writeFileAtomic(file, serializeTrace(trace), options);
}
