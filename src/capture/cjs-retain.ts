/**
 * Keeps every CommonJS module's compiled wrapper function alive.
 *
 * When no function of a script is alive as the profile is read (a finished entry module: reading
 * forces a full GC), V8 reports its frames with no URL and no position. Holding the wrapper keeps
 * the script, not the module's variables. The price: line 1 of each module is shifted right by
 * the prefix below; the importer subtracts `WRAPPER_PREFIX.length` for the recorded files.
 */
import Module = require('node:module');

const KEEP = Symbol.for('alloctrace.keepModuleWrapper');

// Same parameters as Node's own wrapper; only the retaining call is added in front.
/** Frames of ours that user code runs inside: removed from stacks. */
export const PASS_THROUGH_FRAMES: ReadonlySet<string> = new Set(['alloctraceCompile']);

export const WRAPPER_PREFIX = `globalThis[Symbol.for('alloctrace.keepModuleWrapper')](function (exports, require, module, __filename, __dirname) { `;
const WRAPPER_SUFFIX = '\n})';

interface PatchableModule {
  wrap: (script: string) => string;
  prototype: { _compile: (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown };
}

/** Installs the retaining wrapper; returns the set of files compiled through it. */
export function retainModuleWrappers(): Set<string> {
  const wrapped = new Set<string>();
  const kept: unknown[] = [];
  Object.defineProperty(globalThis, KEEP, {
    value: (fn: unknown) => {
      kept.push(fn);
      return fn;
    },
    enumerable: false,
    configurable: true,
  });
  const mod = Module as unknown as PatchableModule;
  const originalWrap = mod.wrap;
  const originalCompile = mod.prototype._compile;
  // Another tool may have patched the wrapper already: keep its prefix/suffix intact around ours.
  const defaultWrap = originalWrap('') === `(function (exports, require, module, __filename, __dirname) { \n});`;
  if (!defaultWrap) return wrapped;
  mod.wrap = (script: string) => WRAPPER_PREFIX + script + WRAPPER_SUFFIX;
  mod.prototype._compile = function alloctraceCompile(this: unknown, content: string, filename: string, ...rest: unknown[]) {
    wrapped.add(filename);
    // Inside our wrapper a `#!` line is no longer the script's start, where alone it is allowed
    // (npm's and every bin's entry has one): make it a comment of the same length.
    const source = typeof content === 'string' && content.startsWith('#!') ? `//${content.slice(2)}` : content;
    return originalCompile.call(this, source, filename, ...rest);
  };
  return wrapped;
}
