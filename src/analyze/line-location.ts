/**
 * A frame's location at one point of one stack: the function's location refined by the line its
 * code proved (`stacks.call` for a frame that called the next one, the frame's `self` for the
 * innermost one). Pure.
 */
import type { CodePoint, LineRecord, TraceFile } from '../trace/format';
import { locationOfFrame, type Location } from './location';

/**
 * The record that applies to stack node `node` whose callee on this stack is node `callee`
 * (`-1`: `node` is the innermost frame, so its own allocation line applies).
 */
export function lineRecordAt(trace: TraceFile, node: number, callee: number): LineRecord | null {
  if (callee >= 0) return trace.stacks.call?.[callee] ?? null;
  const frame = trace.frames[trace.stacks.frame[node] ?? -1];
  return frame?.kind === 'script' ? (frame.self ?? null) : null;
}

/** `file`/`line`/`column` of a point, in the coordinates the function's location uses. */
function placeOf(base: Location, point: CodePoint, generatedFile: string | null): { file: string; line: number; column: number } | null {
  if (point.original !== undefined) return { file: point.original.source, line: point.original.line, column: point.original.column };
  // Unmapped point of a mapped function: mixing coordinates would point at the wrong file.
  if (base.generated !== undefined || generatedFile === null || base.file !== generatedFile) return null;
  return { file: generatedFile, line: point.line, column: point.column };
}

/** Refines `base` (a function-level location) with `record`; returns `base` when it does not apply. */
export function refineLocation(trace: TraceFile, frameIndex: number, base: Location, record: LineRecord | null): Location {
  if (record === null || (base.precision !== 'function' && base.precision !== 'file')) return base;
  // A call made by a function V8 inlined into this frame: that function, at its line.
  if ('exact' in record && record.in !== undefined && record.in !== frameIndex) {
    const inlined = trace.frames[record.in];
    if (inlined?.kind !== 'script') return base;
    const refined = refineLocation(trace, record.in, locationOfFrame(trace, inlined), { exact: record.exact });
    return refined.precision === 'exact' ? refined : base;
  }
  const frame = trace.frames[frameIndex];
  if (frame?.kind !== 'script') return base;
  const script = trace.scripts[frame.script];
  const generatedFile = script?.path ?? script?.url ?? null;
  if ('exact' in record) {
    const place = placeOf(base, record.exact, generatedFile);
    if (place === null) return base;
    const refined: Location = { ...base, ...place, precision: 'exact' };
    if (generatedFile !== null && record.exact.original !== undefined) {
      refined.generated = { file: generatedFile, line: record.exact.line, column: record.exact.column };
    } else {
      delete refined.generated;
    }
    return refined;
  }
  const places = record.candidates.map((p) => placeOf(base, p, generatedFile));
  const first = places[0];
  if (first == null || places.some((p) => p === null || p.file !== first.file)) return base;
  const lines = places.map((p) => p!.line);
  // A bundle's top level has no line of its own: its candidates name the original file.
  if (base.line === null) return { ...base, file: first.file, precision: 'candidates', candidates: lines };
  if (first.file !== base.file) return base;
  return { ...base, precision: 'candidates', candidates: lines };
}

/** Location of stack node `node`, whose callee on the stack is `callee` (`-1`: innermost). */
export function locationAt(trace: TraceFile, node: number, callee: number, base = locationOfFrame(trace, trace.frames[trace.stacks.frame[node] ?? 0]!)): Location {
  return refineLocation(trace, trace.stacks.frame[node] ?? 0, base, lineRecordAt(trace, node, callee));
}

/** Above this share of a report's bytes on user-code rows without a proven line, say how to pin them. */
export const UNPROVEN_SHARE_HINT = 0.5;

/**
 * The one-line hint for a report most of whose bytes sit on the user's rows at a function's
 * start or among candidate lines, where `--exact-lines` would name each line (it rewrites user
 * code only: node_modules and builtins keep their rows). `null` when it would not help: lines
 * are proven already, the trace ran with `--exact-lines`, or the grouping shows no lines.
 * The costs quoted are the overhead bench's (docs/benchmarks.md).
 */
export function exactLinesHint(trace: TraceFile, groupBy: string, stats: ReadonlyArray<{ location: Location; size: number }>, total: number): string | null {
  if ((groupBy !== 'lineno' && groupBy !== 'traceback') || total <= 0 || trace.meta.flags.includes('exact-lines')) return null;
  let unproven = 0;
  for (const s of stats) {
    const p = s.location.precision;
    if (s.location.origin === 'user' && (p === 'function' || p === 'candidates' || p === 'file')) unproven += s.size;
  }
  const share = unproven / total;
  if (share < UNPROVEN_SHARE_HINT) return null;
  const inlining = trace.meta.flags.includes('no-inlining') ? '' : '; `--no-inlining` alone keeps each function its own bytes (+9 … +61 % CPU)';
  return `${Math.round(share * 100)} % of the bytes are on lines the code alone cannot prove ("in f", "lines A|B"): \`alloctrace run --exact-lines\` pins each allocation to its line (+34 … +314 % CPU in docs/benchmarks.md)${inlining}.`;
}
