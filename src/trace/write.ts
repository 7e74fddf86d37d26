/**
 * Writing trace files: compact JSON, written atomically (temporary file in the same folder,
 * then rename), so a reader never sees half a file, even if the writer dies mid-write. Every
 * byte is written or the write fails, and a failed write leaves no file behind (a full disk
 * answers with short writes first, then ENOSPC).
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
  /** Mode of a new file (default 0o666 less the umask); set when the umask is not the user's. */
  mode?: number;
  /**
   * `false`: no fsync before the rename (still atomic for readers). For files read at once by
   * the CLI and then removed (a run's own folder), where waiting for the disk buys nothing.
   */
  durable?: boolean;
}

/** Writes all of `data` at `fd`'s position: `writeSync` may write less than asked. */
export function writeAllSync(fd: number, data: string | Uint8Array): void {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  while (offset < buffer.length) {
    const written = fs.writeSync(fd, buffer, offset, buffer.length - offset);
    if (written <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    offset += written;
  }
}

/** Writes `text` to `file` atomically. Throws the `fs` error on failure, leaving nothing behind. */
export function writeFileAtomic(file: string, text: string | Uint8Array, options: WriteOptions): void {
  const target = writeTarget(file);
  // A FIFO or device (`-o /dev/stdout`) is written in place: replacing it by a new file would
  // lose what the user pointed at. Symlinks were followed by writeTarget (the link stays).
  if (isSpecialFile(target)) {
    const fd = fs.openSync(target, 'w');
    try {
      writeAllSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
    return;
  }
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = fs.openSync(tmp, 'wx', options.mode ?? 0o666);
  try {
    try {
      // Not subject to the umask: a mode asked for is the mode the file gets.
      if (options.mode !== undefined) fs.fchmodSync(fd, options.mode);
      writeAllSync(fd, text);
      if (options.durable !== false) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
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

/**
 * The file a write to `file` lands in: symlinks followed, even one that points at nothing yet
 * (a dangling link is written through, as `>` in a shell does). A link loop is an ELOOP error.
 */
export function writeTarget(file: string): string {
  let current = path.resolve(file);
  try {
    const stat = fs.statSync(current);
    // A FIFO or device keeps the name given: /proc's links (/dev/stdout → pipe:[…]) are no paths.
    return stat.isFile() || stat.isDirectory() ? fs.realpathSync(current) : current;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw error;
  }
  // Nothing there yet: follow a dangling link by hand (realpath gives up on it).
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      if (!fs.lstatSync(current).isSymbolicLink()) break;
      link = fs.readlinkSync(current);
    } catch {
      break;
    }
    current = path.resolve(path.dirname(current), link);
    if (hops === 39) throw Object.assign(new Error(`ELOOP: too many symbolic links, ${file}`), { code: 'ELOOP' });
  }
  // The folder's own links resolved too, so the temporary file sits beside the real target.
  try {
    return path.join(fs.realpathSync(path.dirname(current)), path.basename(current));
  } catch {
    return current;
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
