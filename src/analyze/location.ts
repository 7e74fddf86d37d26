/**
 * Frames as the user sees them: a file, a line, a function, and how precise that line is.
 * Pure functions over the trace model.
 */
import type { FrameRecord, TraceFile } from '../trace/format';

/**
 * How much a location's line can be trusted:
 * - `exact`: the line that allocated or made the call;
 * - `candidates`: one of a few lines, listed in `candidates`;
 * - `function`: the line where the enclosing function starts (what V8 records);
 * - `file`: only the file is known (module top-level code);
 * - `none`: no position at all (builtins, pseudo frames, collected scripts).
 */
export type Precision = 'exact' | 'candidates' | 'function' | 'file' | 'none';

/** Where code comes from: decides `--user-code` attribution. */
export type Origin = 'user' | 'dependency' | 'node' | 'builtin' | 'pseudo' | 'collected';

export interface Location {
  /** Original source path when mapped, else the generated path (relative to the project root). */
  file: string | null;
  line: number | null;
  column: number | null;
  function: string;
  precision: Precision;
  origin: Origin;
  /** Candidate lines when `precision` is `candidates`. */
  candidates?: number[];
  /** Generated position, when `file`/`line` are original ones. */
  generated?: { file: string; line: number; column: number };
}

export const TOP_LEVEL = '(top level)';
export const ANONYMOUS = '(anonymous)';

function originOfPath(file: string): Origin {
  if (file.startsWith('node:')) return 'node';
  // webpack's own module runtime counts as a dependency, not as the user's code.
  if (/^webpack\/(bootstrap|runtime\/)/.test(file)) return 'dependency';
  return /(^|[/\\])node_modules[/\\]/.test(file) ? 'dependency' : 'user';
}

export function locationOfFrame(trace: TraceFile, frame: FrameRecord): Location {
  switch (frame.kind) {
    case 'builtin':
      return { file: null, line: null, column: null, function: frame.name || ANONYMOUS, precision: 'none', origin: 'builtin' };
    case 'pseudo':
      return { file: null, line: null, column: null, function: frame.name, precision: 'none', origin: 'pseudo' };
    case 'collected':
      return {
        file: frame.bootstrap === true ? `node:internal (bootstrap script #${frame.scriptId}, unloaded)` : `<collected script #${frame.scriptId}>`,
        line: null,
        column: null,
        function: frame.name || ANONYMOUS,
        precision: 'none',
        origin: frame.bootstrap === true ? 'node' : 'collected',
      };
    case 'script': {
      const script = trace.scripts[frame.script];
      const generatedFile = script?.path ?? script?.url ?? '<unknown script>';
      const original = frame.original;
      const name = frame.topLevel === true ? TOP_LEVEL : original?.name ?? (frame.name || ANONYMOUS);
      const file = original?.source ?? generatedFile;
      const origin = originOfPath(script?.url.startsWith('node:') === true ? script.url : file);
      if (frame.topLevel === true) {
        return { file, line: null, column: null, function: name, precision: 'file', origin };
      }
      const location: Location = {
        file,
        line: original?.line ?? frame.line,
        column: original?.column ?? frame.column,
        function: name,
        precision: 'function',
        origin,
      };
      if (original !== undefined) location.generated = { file: generatedFile, line: frame.line, column: frame.column };
      return location;
    }
  }
}

/** Stable key of a location, for grouping. */
export function locationKey(location: Location): string {
  const candidates = location.candidates === undefined ? '' : location.candidates.join('|');
  return `${location.file ?? ''}\u0000${location.line ?? ''}\u0000${location.precision}\u0000${location.function}\u0000${candidates}`;
}

/** `src/a.ts:40`, `src/a.ts`, or the function name when there is no file. */
export function formatLocation(location: Location): string {
  if (location.file === null) return location.function;
  if (location.line === null) return location.file;
  if (location.precision === 'candidates' && location.candidates !== undefined && location.candidates.length > 0) {
    return `${location.file}:${location.line}, lines ${location.candidates.join('|')}`;
  }
  return `${location.file}:${location.line}`;
}
