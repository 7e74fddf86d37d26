/**
 * Keeps the entry script's top-level scope alive until the trace is read, so that "live at exit"
 * includes what a finished script's globals held (Python's semantics), on every Node line, for
 * CommonJS and ES module entries (source text: `scope-retain-source.ts`). Only the entry: other
 * modules finished at load time, and what their top level let go then was freed by the program.
 *
 * Where Node has `module.registerHooks` (22.15+, 23.5+) an in-thread load hook rewrites the entry,
 * both formats, and is removed once the entry is loaded. Elsewhere the CommonJS entry is rewritten
 * in `Module.prototype._compile` (see `cjs-retain.ts`) and an ES module entry through
 * `module.register`'s hooks thread, started only when the entry is (or turns out to be) an ES module.
 */
import * as fs from 'node:fs';
import Module = require('node:module');
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EntryCompile } from './cjs-retain';
import { retainModuleScope, retainScriptScope, SCOPE_KEY } from './scope-retain-source';

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

type NextLoad = (url: string, context: unknown) => LoadResult;

interface HookedModule {
  registerHooks?: (hooks: { load: (url: string, context: unknown, nextLoad: NextLoad) => LoadResult }) => { deregister(): void };
  register?: (specifier: string, parentURL: string, options: { data: unknown; transferList: unknown[] }) => void;
}

export interface EntryRetainer {
  /**
   * For the `_compile` hook (`cjs-retain.ts`): the CommonJS entry's source with its retainer, or
   * `null` for other modules; `null` itself where no `_compile` hook is needed.
   */
  compile: EntryCompile | null;
  /** Facts for the report. */
  notes: string[];
}

/** The file Node will run as the entry (`process.argv[1]` resolved as Node resolves its main), or `null`. */
export function entryFile(argv: readonly string[] = process.argv, execArgv: readonly string[] = process.execArgv): string | null {
  const main = argv[1];
  if (main === undefined || main === '' || main === '-') return null;
  try {
    const file = require.resolve(path.resolve(main));
    return execArgv.includes('--preserve-symlinks-main') ? file : fs.realpathSync(file);
  } catch {
    return null;
  }
}

/** Whether Node 20's rules load `file` as an ES module from the start (not by syntax detection). */
function startsAsModule(file: string, execArgv: readonly string[]): boolean {
  if (/\.m[jt]s$/.test(file)) return true;
  if (/\.c[jt]s$/.test(file)) return false;
  const flags = [...execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  if (flags.some((f) => /^--(experimental-)?(loader|import)(=|$)/.test(f) || f === '--experimental-default-type=module')) return true;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return pkg.type === 'module';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
    if (path.dirname(dir) === dir) return false;
  }
}

function text(source: LoadResult['source']): string | null {
  if (typeof source === 'string') return source;
  if (source == null) return null;
  const view = ArrayBuffer.isView(source) ? Buffer.from(source.buffer, source.byteOffset, source.byteLength) : Buffer.from(source);
  return view.toString('utf8');
}

/** What entries handed over: held for the life of the process (this module stays in `require.cache`). */
const kept: unknown[] = [];

const loadAcorn = (): typeof import('acorn') => require('acorn') as typeof import('acorn');

/**
 * Installs the entry retainer for this process's main thread. `unkept` runs when a CommonJS entry
 * gets its retainer only after its last line (all on one line: a minified bundle), and returns what
 * to do once the retainer has run (the script ran to its end).
 */
export function retainEntryScope(unkept: () => () => void = () => () => undefined): EntryRetainer {
  const notes: string[] = [];
  const key = Symbol.for(SCOPE_KEY);
  let ranToEnd: (() => void) | null = null;
  const late = (retained: { source: string; at: string }): string => {
    if (retained.at === 'end' && ranToEnd === null) ranToEnd = unkept();
    return retained.source;
  };
  const file = entryFile();
  const none: EntryRetainer = { compile: null, notes };
  if (file === null) return none;
  Object.defineProperty(globalThis, key, {
    value: (fn: unknown) => {
      kept.push(fn);
      ranToEnd?.();
      // Used once, by the entry: gone from the program's globals as soon as it has run.
      delete (globalThis as Record<symbol, unknown>)[key];
    },
    enumerable: false,
    configurable: true,
  });
  const entryUrl = pathToFileURL(file).href;
  const mod = Module as unknown as HookedModule;

  if (typeof mod.registerHooks === 'function') {
    let seen = false;
    let handle: { deregister(): void } | null = null;
    const done = (): void => {
      handle?.deregister();
      handle = null;
    };
    handle = mod.registerHooks({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        if (url !== entryUrl) {
          // The entry has been compiled once another module loads: no need to stay in the chain.
          if (seen) done();
          return result;
        }
        seen = true;
        const source = text(result.source);
        if (source === null) return result;
        const format = result.format ?? undefined;
        if (format === 'module' || format === 'module-typescript') {
          done();
          return { ...result, source: retainModuleScope(source) };
        }
        if (format === undefined || format === 'commonjs' || format === 'commonjs-typescript') {
          // Undecided (a typeless .js): Node may still load it again as an ES module (syntax detection).
          if (format !== undefined) done();
          return { ...result, source: late(retainScriptScope(source, loadAcorn)) };
        }
        return result;
      },
    });
    return none;
  }

  // Node 20 and 21 (and 22 before 22.15): no in-thread hooks.
  let registered = false;
  const registerModuleHook = (): void => {
    if (registered) return;
    registered = true;
    if (typeof mod.register !== 'function') {
      notes.push('this Node has no module.register: an ES module entry\'s top-level variables are not kept until the end');
      return;
    }
    const hooks = pathToFileURL(path.join(__dirname, 'scope-retain-hooks.js')).href;
    mod.register(hooks, pathToFileURL(__filename).href, { data: { entry: entryUrl }, transferList: [] });
  };
  if (startsAsModule(file, process.execArgv)) registerModuleHook();
  return {
    notes,
    compile: (content, filename, isMain, format) => {
      if (!isMain || filename !== file) return null;
      const retained = retainScriptScope(content, loadAcorn);
      // A typeless .js with module syntax: Node compiles it as CommonJS, fails, then loads it as an ES module.
      if (format == null && retained.at === 'unparsed') registerModuleHook();
      return late(retained);
    },
  };
}
