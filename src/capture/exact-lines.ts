/**
 * `--exact-lines`, in the traced process: runs user code (not node_modules, not alloctrace) with
 * each allocating expression wrapped in a function of its own (see `src/lines/wrap.ts`), CommonJS
 * through `Module.prototype._compile`, ES modules through a load hook (`module.registerHooks` where
 * Node has it, else `module.register`). Loaded only in that mode; code that cannot be parsed runs
 * unchanged. Returns the URLs it rewrote.
 */
import Module = require('node:module');
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { isUserTypeScriptFile, isWrappableFile } from './exact-lines-predicate';
import type { LoadResult } from './exact-lines-hooks';
import { wrapSource } from './exact-lines-transform';

interface PatchableModule {
  prototype: { _compile: (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown };
  register?: (specifier: string, parentURL: string, options: { data: unknown; transferList: unknown[] }) => void;
  registerHooks?: (hooks: { load: (url: string, context: unknown, nextLoad: (url: string, context: unknown) => LoadResult) => LoadResult }) => unknown;
}

export interface ExactLines {
  /** URLs (CommonJS paths, ESM `file:` URLs) whose code ran wrapped. */
  urls(): Set<string>;
  /** Facts for the report (e.g. ES modules left unwrapped on an old Node). */
  notes: string[];
}

const TYPESCRIPT_NOTE =
  '--exact-lines: TypeScript files run through a loader or type stripping ran unwrapped (only JavaScript files are rewritten); their lines are proven from the code that ran';

export function installExactLines(): ExactLines {
  const urls = new Set<string>();
  const notes: string[] = [];
  const mod = Module as unknown as PatchableModule;
  const originalCompile = mod.prototype._compile;
  const sawTypeScript = (file: string): void => {
    if (isUserTypeScriptFile(file) && !notes.includes(TYPESCRIPT_NOTE)) notes.push(TYPESCRIPT_NOTE);
  };
  mod.prototype._compile = function alloctraceCompile(this: unknown, content: string, filename: string, ...rest: unknown[]) {
    let code = content;
    sawTypeScript(filename);
    if (isWrappableFile(filename)) {
      const wrapped = wrapSource(content);
      if (wrapped !== null) {
        code = wrapped;
        urls.add(filename);
      }
    }
    return originalCompile.call(this, code, filename, ...rest);
  };

  if (typeof mod.registerHooks === 'function') {
    // Node 22.15+ and 23.5+: in-thread hooks. Node 26 deprecates module.register (DEP0205) and
    // would print a warning into the traced program's stderr.
    const { rewriteModule } = require('./exact-lines-hooks') as typeof import('./exact-lines-hooks');
    mod.registerHooks({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        sawTypeScript(url);
        const rewritten = rewriteModule(url, result);
        if (rewritten === null) return result;
        urls.add(url);
        return rewritten;
      },
    });
    return { notes, urls: () => urls };
  }
  const channel = new MessageChannel();
  if (typeof mod.register === 'function') {
    const hooks = pathToFileURL(path.join(__dirname, 'exact-lines-hooks.js')).href;
    mod.register(hooks, pathToFileURL(__filename).href, { data: { port: channel.port2 }, transferList: [channel.port2] });
    channel.port1.unref();
  } else {
    notes.push('--exact-lines: ES modules ran unwrapped (module.register needs Node 20.6 or later)');
  }
  return {
    notes,
    urls: () => {
      for (let m = receiveMessageOnPort(channel.port1); m !== undefined; m = receiveMessageOnPort(channel.port1)) {
        if (typeof m.message === 'string') urls.add(m.message);
      }
      return urls;
    },
  };
}
