/**
 * Paths in a trace: script URLs as local files, and files as shown (relative to the project root,
 * with `/` separators). Shared by every stage that names a file.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute file path of a script URL, or `null` when it is not a local file. */
export function fileOfUrl(url: string): string | null {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return path.isAbsolute(url) ? url : null;
}

/** `file` relative to `root` with `/` separators; absolute when outside the root's drive. */
export function relativeToRoot(root: string | null, file: string): string {
  if (root === null) return file;
  const rel = path.relative(root, file);
  if (rel === '' || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

/** The URL given to a script V8 reports without one (eval'd code): `<anonymous script #12>`. */
export const ANONYMOUS_SCRIPT = /^<anonymous script #(\d+)>$/;
