/**
 * What `alloctrace run <script>` starts: a JavaScript file, a TypeScript file (through a
 * loader), or — with `--children` — any command, whose Node processes are then traced.
 * Anything else is refused before the program runs, in one line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlloctraceError } from '../errors';
import { readRegularFile } from '../read-file';

export type Entry =
  | { kind: 'javascript'; file: string }
  | { kind: 'typescript'; file: string }
  | { kind: 'command'; command: string };

const JS = /\.(?:js|cjs|mjs)$/i;
const TS = /\.(?:ts|cts|mts|tsx)$/i;

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A command on PATH, as a shell would find it. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | null {
  if (command.includes('/') || command.includes(path.sep)) return null;
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (isFile(candidate)) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Why a file is not JavaScript node can run, or `null` when it is (or may be). */
export function notJavaScript(file: string): string | null {
  if (JS.test(file) || TS.test(file)) return null;
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(512);
      head = head.subarray(0, fs.readSync(fd, head, 0, 512, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  if (head.includes(0)) return 'a binary file';
  const text = head.toString('utf8');
  if (text.startsWith('#!')) {
    const shebang = text.slice(2, text.indexOf('\n') >>> 0).trim();
    if (/\bnode\b|\bnodejs\b|\btsx\b/.test(shebang)) return null;
    const words = shebang.split(/\s+/).map((w) => path.basename(w));
    const interpreter = (words[0] === 'env' ? words.find((w, i) => i > 0 && !w.startsWith('-')) : words[0]) ?? shebang;
    return `a script for ${interpreter}`;
  }
  const ext = path.extname(file);
  return ext === '' ? null : `a ${ext} file`;
}

function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Classifies the script argument (see the module comment); throws a one-line error. */
export function resolveEntry(script: string, cwd: string, env: NodeJS.ProcessEnv, children: boolean): Entry {
  const file = path.resolve(cwd, script);
  let found: string | null = isFile(file) ? file : null;
  if (found === null) {
    // `node app` also finds app.js / app/index.js: accept what Node's resolver accepts.
    try {
      found = require.resolve(file);
    } catch {
      found = null;
    }
  }
  if (found === null) {
    const command = findOnPath(script, env);
    if (command !== null && children) return { kind: 'command', command: script };
    if (command !== null) {
      throw new AlloctraceError('ERR_SCRIPT_NOT_FOUND', `${script} is a command, not a script file; use --children to trace the Node processes it starts`);
    }
    if (isFolder(file)) throw new AlloctraceError('ERR_SCRIPT_NOT_FOUND', `${script} is a folder that node cannot run (no index.js, no package.json "main")`);
    throw new AlloctraceError('ERR_SCRIPT_NOT_FOUND', `script not found: ${script}`);
  }
  try {
    fs.accessSync(found, fs.constants.R_OK);
  } catch {
    throw new AlloctraceError('ERR_USAGE', `cannot read ${script}: permission denied`);
  }
  if (TS.test(found)) return { kind: 'typescript', file: found };
  const why = notJavaScript(found);
  if (why === null) return { kind: 'javascript', file: found };
  if (children) return { kind: 'command', command: found };
  throw new AlloctraceError('ERR_USAGE', `${script} is not JavaScript (${why}); use --children to run it and trace the Node processes it starts`);
}

/** How node is told to load a loader: ES modules by `--import`, CommonJS require hooks by `--require`. */
function loaderFlag(file: string): string {
  const esm = /\.mjs$/i.test(file) || (/\.js$/i.test(file) && packageType(path.dirname(file)) === 'module');
  return `${esm ? '--import' : '--require'}=${esm ? pathToFileURL(file).href : file}`;
}

function packageType(dir: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      const type = (JSON.parse(readRegularFile(path.join(d, 'package.json'), 16 * 1024 * 1024)) as { type?: unknown }).type;
      return typeof type === 'string' ? type : null;
    } catch {
      if (path.dirname(d) === d) return null;
    }
  }
}

/** Node flag that loads the `--loader` module (for `.ts` entries, and for JavaScript ones: JSX, babel). */
export function namedLoader(file: string, loader: string, cwd: string): string {
  const spec = loader.startsWith('.') ? path.resolve(cwd, loader) : loader;
  try {
    return loaderFlag(require.resolve(spec, { paths: [cwd, path.dirname(file)] }));
  } catch {
    throw new AlloctraceError('ERR_USAGE', `--loader ${loader}: module not found from ${cwd}`);
  }
}

/**
 * Node flag that lets node run a `.ts` entry: `--loader`'s module (tsx, ts-node/esm,
 * ts-node/register, esbuild-register…), else tsx from the script's project (or the working
 * folder), else none where node strips types itself.
 */
export function typescriptLoader(file: string, loader: string | null, cwd: string, nodeVersion: string): string | null {
  if (loader !== null) return namedLoader(file, loader, cwd);
  try {
    return loaderFlag(require.resolve('tsx', { paths: [path.dirname(file), cwd] }));
  } catch {
    // no tsx in the project
  }
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  // Node 22.18+ / 23.6+ run TypeScript by erasing types (positions unchanged: no map needed).
  if (major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)) return null;
  throw new AlloctraceError(
    'ERR_USAGE',
    `cannot run ${path.basename(file)}: node ${nodeVersion} needs a TypeScript loader; install tsx in your project (npm i -D tsx) or name one with --loader <module>`,
  );
}
