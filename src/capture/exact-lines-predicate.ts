/** Which files `--exact-lines` rewrites: user code only (no node_modules, not alloctrace). */
import * as path from 'node:path';

const OWN_DIR = path.resolve(__dirname, '..') + path.sep;

const NODE_MODULES = /[/\\]node_modules[/\\]/;

export function isWrappableFile(file: string): boolean {
  return /\.[cm]?js$/.test(file) && !NODE_MODULES.test(file) && !file.startsWith(OWN_DIR);
}

/** User TypeScript run through a loader or type stripping: not rewritten (only JavaScript is). */
export function isUserTypeScriptFile(file: string): boolean {
  return /\.[cm]?tsx?$/i.test(file) && !NODE_MODULES.test(file);
}
