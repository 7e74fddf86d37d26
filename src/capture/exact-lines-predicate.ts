/** Which files `--exact-lines` rewrites: user code only (no node_modules, not alloctrace). */
import * as path from 'node:path';

const OWN_DIR = path.resolve(__dirname, '..') + path.sep;

export function isWrappableFile(file: string): boolean {
  return /\.[cm]?js$/.test(file) && !/[/\\]node_modules[/\\]/.test(file) && !file.startsWith(OWN_DIR);
}
