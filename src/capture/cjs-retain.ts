/**
 * Keeps every CommonJS module's script alive until the trace is read.
 *
 * When no function of a script is alive as the profile is read (a finished entry module: reading
 * forces a full GC), V8 reports its frames with no URL and no position. One live function of a
 * script keeps the whole script, so each module gets one statement appended after its last line
 * that hands a tiny function created in that script to a retainer. Appending (rather than
 * wrapping) leaves every line and column of the program where it was: its own stack traces, and
 * Node's `--enable-source-maps`, are unchanged. It keeps code alive, and with it the module's
 * closure context: variables of a finished module that some closure captured stay reachable
 * (docs/decisions.md, "Keeping CommonJS scripts alive").
 *
 * A module that is still running when the trace is taken (`process.exit()` inside it, an
 * uncaught exception thrown from it) is alive through its frames and the error's stack. A module
 * that ends with a top-level `return` skips the statement; its functions are then retained only
 * if something else keeps them (a known, documented gap).
 *
 * Measured: Node 20 needs this; Node 22, 24 and 26 keep CommonJS scripts alive themselves, so
 * the retainer is installed on Node 20 (and 21) only, and newer lines see module variables freed
 * as they would be without alloctrace.
 */
import Module = require('node:module');

const KEEP = Symbol.for('alloctrace.keepScript');

/** Appended on a line of its own, after any trailing `//` comment or sourceMappingURL. */
export const RETAIN_SUFFIX = `\n;globalThis[Symbol.for('alloctrace.keepScript')]?.(function alloctraceKeepScript() {});\n`;

/** Frames of ours that user code runs inside: removed from stacks. */
export const PASS_THROUGH_FRAMES: ReadonlySet<string> = new Set(['alloctraceCompile']);

interface PatchableModule {
  prototype: { _compile?: (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown };
}

/** Node lines whose CommonJS loader lets a finished module's script be collected (measured). */
export function needsRetainer(nodeVersion: string): boolean {
  const major = Number(nodeVersion.split('.')[0]);
  return !(major >= 22);
}

/** Rewrites the CommonJS entry (see `scope-retain.ts`): its source with a retainer, or `null` for other modules. */
export type EntryCompile = (content: string, filename: string, isMain: boolean, format: unknown) => string | null;

/**
 * Installs the retainer where this Node needs it, and `entry`'s rewrite of the CommonJS entry where
 * given (Node without `module.registerHooks`). Returns `null`, or a one-line note for the report
 * when this Node's CommonJS loader has no `_compile` to hook (finished scripts may then lose their
 * positions).
 */
export function retainModuleScripts(nodeVersion: string = process.versions.node, entry: EntryCompile | null = null): string | null {
  const scripts = needsRetainer(nodeVersion);
  if (!scripts && entry === null) return null;
  const kept: unknown[] = [];
  Object.defineProperty(globalThis, KEEP, {
    value: (fn: unknown) => {
      kept.push(fn);
    },
    enumerable: false,
    configurable: true,
  });
  const mod = Module as unknown as PatchableModule;
  const originalCompile = mod.prototype._compile;
  if (typeof originalCompile !== 'function') {
    return "this Node's CommonJS loader has no Module.prototype._compile: frames of finished CommonJS scripts may show without a position";
  }
  // Node 22+ names this frame by finding the function on the receiver; once our hook holds the
  // slot, the program's own stack traces would say `Module.<anonymous>` instead of `Module._compile`.
  if (originalCompile.name === '') Object.defineProperty(originalCompile, 'name', { value: '_compile', configurable: true });
  mod.prototype._compile = function alloctraceCompile(this: unknown, content: string, filename: string, ...rest: unknown[]) {
    // Only JavaScript sources; a loader may hand over something else (e.g. JSON through _compile).
    if (typeof content !== 'string') return originalCompile.call(this, content, filename, ...rest);
    // The entry's scope retainer also keeps its script.
    const main = entry?.(content, filename, (this as { id?: unknown }).id === '.', rest[0]) ?? null;
    const source = main ?? (scripts ? content + RETAIN_SUFFIX : content);
    return originalCompile.call(this, source, filename, ...rest);
  };
  return null;
}
