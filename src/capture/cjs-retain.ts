/**
 * Keeps every CommonJS module's script alive.
 *
 * When no function of a script is alive as the profile is read (a finished entry module: reading
 * forces a full GC), Node 20 reports its frames with no URL and no position (22 and later keep
 * CommonJS scripts alive themselves). One live closure created by the script keeps it, and so
 * its positions: a call appended after the module's code hands such a closure to us. Appending
 * leaves every position of the module unchanged, and unlike patching `Module.wrap` it keeps Node's
 * own compile path, so ES-module syntax detection in `.js`/`.ts` files and `require(esm)` still work.
 */
import Module = require('node:module');

const KEEP = Symbol.for('alloctrace.keepScript');

/** Frames of ours that user code runs inside: removed from stacks. */
export const PASS_THROUGH_FRAMES: ReadonlySet<string> = new Set(['alloctraceCompile']);

// On a line of its own (the module may end in a line comment); valid JavaScript, TypeScript,
// CommonJS and ES module code. A module that returns early from its top level skips it.
const KEEPER = `\n;globalThis[Symbol.for('alloctrace.keepScript')]?.(() => {});\n`;

interface PatchableModule {
  prototype: { _compile?: (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown };
}

/**
 * Installs the retaining suffix. Returns `null`, or a one-line note when this Node's CommonJS
 * loader cannot be patched (finished scripts may then lose their positions).
 */
export function retainModuleScripts(): string | null {
  const kept: unknown[] = [];
  Object.defineProperty(globalThis, KEEP, {
    value: (fn: unknown) => {
      kept.push(fn);
    },
    enumerable: false,
    configurable: true,
  });
  const proto = (Module as unknown as PatchableModule).prototype;
  const originalCompile = proto._compile;
  if (typeof originalCompile !== 'function') {
    return "this Node's CommonJS loader has no Module.prototype._compile: frames of finished CommonJS scripts may show without a position";
  }
  proto._compile = function alloctraceCompile(this: unknown, content: string, filename: string, ...rest: unknown[]) {
    return originalCompile.call(this, typeof content === 'string' ? content + KEEPER : content, filename, ...rest);
  };
  return null;
}
