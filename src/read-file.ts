/**
 * The one way the CLI reads a file it was pointed at (traces, scripts, source maps, package.json):
 * only a regular file, never more than a bound. A FIFO, a device (`/dev/zero`, `/dev/stdin`) or a
 * socket is refused at once rather than blocking or filling memory; a file that is, or grows,
 * larger than the bound is refused rather than read. Throws an `fs`-style error (with a `code`).
 */
import * as fs from 'node:fs';

/** Opening a FIFO for reading waits for a writer unless non-blocking; regular files ignore the flag. */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

const CHUNK = 1024 * 1024;

/** Thrown for a file that is not regular or is too large; `code` is `EFTYPE` or `EFBIG`. */
export class FileReadError extends Error {
  readonly code: 'EFTYPE' | 'EFBIG';

  constructor(code: 'EFTYPE' | 'EFBIG', message: string) {
    super(message);
    this.name = 'FileReadError';
    this.code = code;
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The bytes of the regular file `file`, at most `maxBytes` of them. */
export function readRegularFileBytes(file: string, maxBytes: number): Buffer {
  const fd = fs.openSync(file, OPEN_FLAGS);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new FileReadError('EFTYPE', `${kindOf(stat)}, not a regular file`);
    if (stat.size > maxBytes) throw new FileReadError('EFBIG', `too large (${stat.size} bytes, at most ${maxBytes} are read)`);
    // Read to the end, not to the size stat gave: /proc files say 0, and a file may grow meanwhile.
    const chunks: Buffer[] = [];
    let total = 0;
    let buffer = Buffer.allocUnsafe(Math.min(Math.max(stat.size + 1, 4096), maxBytes + 1));
    let used = 0;
    for (;;) {
      if (used === buffer.length) {
        chunks.push(buffer);
        buffer = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
        used = 0;
      }
      const read = fs.readSync(fd, buffer, used, buffer.length - used, null);
      if (read === 0) break;
      used += read;
      total += read;
      if (total > maxBytes) throw new FileReadError('EFBIG', `too large (more than ${maxBytes} bytes)`);
    }
    chunks.push(buffer.subarray(0, used));
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** The text (UTF-8) of the regular file `file`, at most `maxBytes` bytes of it. */
export function readRegularFile(file: string, maxBytes: number): string {
  return readRegularFileBytes(file, maxBytes).toString('utf8');
}
