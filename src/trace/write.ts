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
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (options.overwrite) {
      fs.renameSync(tmp, file);
    } else {
      // link() fails if the target exists: no window where another file could be replaced.
      fs.linkSync(tmp, file);
      fs.unlinkSync(tmp);
    }
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

export function writeTrace(file: string, trace: TraceFile, options: WriteOptions): void {
  writeFileAtomic(file, serializeTrace(trace), options);
}
