/**
 * Resolves real source lines after capture (never in the traced process): for every stack, the
 * line of the caller that made the call (`stacks.call`), and for every function that allocated in
 * its own frame, the line that did (`self`), each only where the function's code proves it.
 *
 * A call line is proven when the caller's own code has calls to the callee's name on one line
 * only; on a few lines it is `candidates`; otherwise nothing. Scripts are parsed once per run.
 */
import * as fs from 'node:fs';
import { formatSize } from '../report/units';
import { fileOfUrl } from '../trace/v8-profile';
import type { CodePoint, FrameRecord, LineRecord, ScriptFrameRecord, ScriptRecord, TraceFile } from '../trace/format';
import type { SourceMapper } from '../symbolize/mapper';
import { sourcePath } from '../symbolize/symbolize';
import { analyseFunction, type ClassPart, type FunctionCode } from './constructs';
import { CodeCache, type LoadedCode } from './code-cache';
import { isClassNode, type AstNode, type ScriptCode } from './script-code';
import type { Wrap } from './wrap';

/** More candidate lines than this tell the reader nothing: the function's start is kept. */
export const MAX_CANDIDATES = 8;

export interface ResolveLinesOptions {
  /** Maps generated positions to original ones; `null` keeps generated positions. */
  mapper: SourceMapper | null;
  /** Scripts already read in this run. */
  cache?: CodeCache;
  /** Most bytes of JavaScript parsed for one trace (default `LINES_PARSE_BUDGET`). */
  parseBudget?: number;
}

/**
 * Most bytes of JavaScript parsed to resolve one trace's lines. Syntax trees take some twenty
 * times their source in memory: a large application (thousands of scripts) would otherwise cost
 * gigabytes and many seconds after the program ended. Scripts are taken by the memory they
 * account for, most first; the rest keep function lines, and the report says so.
 */
export const LINES_PARSE_BUDGET = 16 * 1024 * 1024;

/**
 * Script index → estimated bytes of the samples whose innermost script frame is in it (`own`:
 * the rows' lines), and of all samples whose stacks pass through it (`all`: tracebacks' lines).
 */
function bytesByScript(trace: TraceFile): { own: Map<number, number>; all: Map<number, number> } {
  const { frame: frameCol, parent: parentCol } = trace.stacks;
  const perStack = new Float64Array(frameCol.length);
  trace.samples.stack.forEach((s, i) => (perStack[s] = (perStack[s] ?? 0) + (trace.samples.size[i] ?? 0)));
  const own = new Map<number, number>();
  const all = new Map<number, number>();
  for (let s = 0; s < frameCol.length; s++) {
    const bytes = perStack[s]!;
    if (bytes === 0) continue;
    const seen = new Set<number>();
    for (let t = s; t >= 0; t = parentCol[t] ?? -1) {
      const frame = trace.frames[frameCol[t]!];
      if (frame?.kind !== 'script' || seen.has(frame.script)) continue;
      if (seen.size === 0) own.set(frame.script, (own.get(frame.script) ?? 0) + bytes);
      seen.add(frame.script);
      all.set(frame.script, (all.get(frame.script) ?? 0) + bytes);
    }
  }
  return { own, all };
}

/** The used scripts that fit the parse budget, most memory first (the first file always fits). */
function scriptsWithinBudget(trace: TraceFile, used: ReadonlySet<number>, budget: number): Set<number> {
  const { own, all } = bytesByScript(trace);
  const order = [...used].sort((a, b) => (own.get(b) ?? 0) - (own.get(a) ?? 0) || (all.get(b) ?? 0) - (all.get(a) ?? 0) || a - b);
  const allowed = new Set<number>();
  let spent = 0;
  for (const i of order) {
    const file = fileOfUrl(trace.scripts[i]?.url ?? '');
    let size = 0;
    try {
      size = file === null ? 0 : fs.statSync(file).size;
    } catch {
      size = 0; // unreadable: loading it costs nothing and says so
    }
    if (size > 0 && spent > 0 && spent + size > budget) continue;
    spent += size;
    allowed.add(i);
  }
  return allowed;
}

export interface ResolveLinesResult {
  trace: TraceFile;
  /** One line per script that could be read but not parsed. */
  warnings: string[];
}

const CLASS_PARTS: Record<string, ClassPart> = {
  '<instance_members_initializer>': 'instance-initializer',
  '<static_initializer>': 'static-initializer',
};

/** The last part of a V8 function name: `Foo.bar` and `obj.bar` are called as `bar`. */
function callName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1) : name;
}

/** A function's code less what `--exact-lines` wrapped (that runs, and allocates, in wrappers). */
function withoutWrapped(code: FunctionCode, wraps: readonly Wrap[]): FunctionCode {
  // Wraps sorted by start, with the furthest end so far: an offset is inside some wrap when the
  // furthest end among wraps starting at or before it lies beyond it.
  const sorted = [...wraps].sort((a, b) => a.start - b.start);
  const reach: number[] = [];
  for (const w of sorted) reach.push(Math.max(w.end, reach[reach.length - 1] ?? -1));
  const inside = (offset: number): boolean => {
    let lo = 0;
    let hi = sorted.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.start <= offset) {
        last = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return last >= 0 && reach[last]! > offset;
  };
  return { calls: code.calls.filter((c) => !inside(c.offset)), allocations: code.allocations.filter((o) => !inside(o)) };
}

/** True when the trace has scripts whose lines were never resolved. */
export function linesPending(trace: TraceFile): boolean {
  return trace.scripts.some((s) => s.code === undefined);
}

/** Resolves the scripts not resolved yet (no `code` status); others keep what they have. */
export function resolveLines(trace: TraceFile, options: ResolveLinesOptions): ResolveLinesResult {
  // A saved trace passes through untouched (and without walking its stacks for the budget).
  if (!linesPending(trace)) return { trace, warnings: [] };
  const { mapper } = options;
  const cache = options.cache ?? new CodeCache();
  const root = trace.meta.root;
  const warnings: string[] = [];
  const loaded = new Map<number, LoadedCode>();
  const used = new Set<number>();
  for (const f of trace.frames) if (f.kind === 'script' && trace.scripts[f.script]?.code === undefined) used.add(f.script);
  const allowed = scriptsWithinBudget(trace, used, options.parseBudget ?? LINES_PARSE_BUDGET);
  let skipped = 0;

  const scripts: ScriptRecord[] = trace.scripts.map((script, i) => {
    if (script.code !== undefined) return script;
    if (used.has(i) && !allowed.has(i)) {
      skipped += 1;
      loaded.set(i, { status: 'unreadable' });
      return { ...script, code: 'skipped' };
    }
    const load: LoadedCode = used.has(i) ? cache.load(script.url) : { status: 'unreadable' };
    loaded.set(i, load);
    const record: ScriptRecord = { ...script, code: load.status };
    if (load.status === 'unparsable') {
      record.codeError = load.error;
      warnings.push(`${script.path ?? script.url}: cannot parse (${load.error}); its lines stay at function starts`);
    }
    return record;
  });

  if (skipped > 0) {
    const budget = formatSize(options.parseBudget ?? LINES_PARSE_BUDGET);
    warnings.push(`lines: ${skipped} script(s) that account for the least memory were not parsed (over the ${budget} parse budget); their rows keep function lines`);
  }

  const codeOf = (frame: FrameRecord): { code: ScriptCode; url: string } | null => {
    if (frame.kind !== 'script') return null;
    const load = loaded.get(frame.script);
    const url = trace.scripts[frame.script]?.url;
    return load?.status === 'parsed' && url !== undefined ? { code: load.code, url } : null;
  };

  const nodes = new Map<number, AstNode | null>();
  const nodeOf = (index: number): AstNode | null => {
    if (nodes.has(index)) return nodes.get(index) ?? null;
    const frame = trace.frames[index];
    const script = frame === undefined ? null : codeOf(frame);
    let node: AstNode | null = null;
    if (frame?.kind === 'script' && script !== null) {
      if (frame.topLevel === true) {
        node = script.code.program;
      } else {
        const offset = script.code.offsetOf(frame.line, frame.column);
        node = offset === null ? null : script.code.functionAt(offset);
      }
    }
    nodes.set(index, node);
    return node;
  };

  const functions = new Map<number, FunctionCode | null>();
  const functionOf = (index: number): FunctionCode | null => {
    if (functions.has(index)) return functions.get(index) ?? null;
    const node = nodeOf(index);
    const frame = trace.frames[index];
    let result: FunctionCode | null = null;
    if (node !== null && frame !== undefined) {
      const part = CLASS_PARTS[frame.name];
      // A frame at a class's start that is neither initializer is its implicit constructor.
      result = isClassNode(node) ? analyseFunction(node, part ?? 'constructor') : part !== undefined ? null : analyseFunction(node);
      const script = codeOf(frame);
      if (result !== null && script !== null && frame.kind === 'script' && trace.scripts[frame.script]?.exactLines !== undefined) {
        result = withoutWrapped(result, cache.wrapsOf(script.url, script.code));
      }
    }
    functions.set(index, result);
    return result;
  };

  const pointAt = (code: ScriptCode, url: string, offset: number): CodePoint => {
    const { line, column } = code.positionOf(offset);
    const point: CodePoint = { line, column };
    const resolved = mapper?.resolve(url, { line, column });
    if (resolved?.kind === 'mapped') {
      point.original = { source: sourcePath(root, resolved.source), line: resolved.line, column: resolved.column, name: resolved.name };
    }
    return point;
  };

  /** One record for the lines of `offsets`: exact when they share one line. */
  const recordOf = (code: ScriptCode, url: string, offsets: readonly number[]): LineRecord | null => {
    const byLine = new Map<string, CodePoint>();
    for (const offset of offsets) {
      const point = pointAt(code, url, offset);
      const key = point.original === undefined ? `\u0000${point.line}` : `${point.original.source}\u0000${point.original.line}`;
      if (!byLine.has(key)) byLine.set(key, point);
      if (byLine.size > MAX_CANDIDATES) return null;
    }
    const points = [...byLine.values()];
    if (points.length === 0) return null;
    if (points.length === 1) return { exact: points[0]! };
    const lineOf = (p: CodePoint): number => p.original?.line ?? p.line;
    return { candidates: points.sort((a, b) => lineOf(a) - lineOf(b)) };
  };

  const originalNames = new Map<number, string | null>();
  /** The map's name for a function's declared name (minified code), else `null`. */
  const originalNameOf = (index: number): string | null => {
    if (originalNames.has(index)) return originalNames.get(index) ?? null;
    let name: string | null = null;
    const frame = trace.frames[index];
    const node = nodeOf(index);
    const script = frame === undefined ? null : codeOf(frame);
    const id = node === null || script === null ? null : script.code.nameNodeOf(node);
    if (mapper !== null && script !== null && id !== null) name = pointAt(script.code, script.url, id.start).original?.name ?? null;
    originalNames.set(index, name);
    return name;
  };

  /** `--exact-lines`: a wrapper frame is its expression's line, for its own and its calls. */
  const wrapperRecord = (index: number): LineRecord | null => {
    const frame = trace.frames[index];
    const script = frame === undefined ? null : codeOf(frame);
    if (frame?.kind !== 'script' || frame.wrapper === undefined || script === null) return null;
    const offset = script.code.offsetOf(frame.wrapper.line, frame.wrapper.column);
    return offset === null ? null : { exact: pointAt(script.code, script.url, offset) };
  };

  const calls = new Map<string, LineRecord | null>();
  const callRecord = (parent: number, childIndex: number): LineRecord | null => {
    const key = `${parent},${childIndex}`;
    if (calls.has(key)) return calls.get(key) ?? null;
    let record: LineRecord | null = wrapperRecord(parent) ?? wrapperRecord(childIndex);
    if (record !== null) {
      calls.set(key, record);
      return record;
    }
    const caller = functionOf(parent);
    const script = codeOf(trace.frames[parent]!);
    const callee = trace.frames[childIndex];
    if (caller !== null && script !== null && callee !== undefined && callee.kind !== 'pseudo') {
      const name = callName(callee.name);
      const calleeNode = callee.kind === 'script' && callee.script === (trace.frames[parent] as ScriptFrameRecord).script ? nodeOf(childIndex) : null;
      const calleeOriginal = callee.kind === 'script' ? originalNameOf(childIndex) : null;
      const offsets: number[] = [];
      for (const site of caller.calls) {
        const direct = calleeNode !== null && site.calleeFunction === calleeNode;
        if (!direct && (name === '' || !site.names.includes(name))) continue;
        if (!direct && calleeOriginal !== null && site.nameOffset !== null) {
          // Minified code reuses short names: where the map names both, they must agree.
          const siteOriginal = pointAt(script.code, script.url, site.nameOffset).original?.name ?? null;
          if (siteOriginal !== null && siteOriginal !== calleeOriginal && site.names[0] === name) continue;
        }
        offsets.push(site.offset);
      }
      record = recordOf(script.code, script.url, offsets);
    }
    calls.set(key, record);
    return record;
  };

  // Only functions that allocated in their own frame need a `self` line.
  const innermost = new Set<number>();
  for (const s of trace.samples.stack) innermost.add(trace.stacks.frame[s] ?? -1);

  const frames: FrameRecord[] = trace.frames.map((frame, index) => {
    if (frame.kind !== 'script' || !loaded.has(frame.script)) return frame;
    const { self: _stale, ...rest } = frame;
    // Minified code: the map names a function at its declared name, not at V8's position.
    if (rest.original !== undefined && rest.original.name === null && rest.topLevel !== true) {
      const name = originalNameOf(index);
      if (name !== null) rest.original = { ...rest.original, name };
    }
    const own = innermost.has(index) && frame.wrapper === undefined ? functionOf(index) : null;
    const script = codeOf(frame);
    const self = frame.wrapper !== undefined ? wrapperRecord(index) : own === null || script === null ? null : recordOf(script.code, script.url, own.allocations);
    return self === null ? rest : { ...rest, self };
  });

  const { frame: frameCol, parent: parentCol } = trace.stacks;
  const call: Array<LineRecord | null> = frameCol.map((childIndex, i) => {
    const previous = trace.stacks.call?.[i] ?? null;
    const p = parentCol[i] ?? -1;
    if (p < 0) return previous;
    const parentIndex = frameCol[p]!;
    const parent = trace.frames[parentIndex];
    if (parent?.kind !== 'script' || !loaded.has(parent.script)) return previous;
    return callRecord(parentIndex, childIndex);
  });

  return { trace: { ...trace, scripts, frames, stacks: { ...trace.stacks, call } }, warnings };
}

/** The same trace without resolved lines (e.g. to resolve them again without source maps). */
export function dropLines(trace: TraceFile): TraceFile {
  const { call: _dropped, ...stacks } = trace.stacks;
  return {
    ...trace,
    scripts: trace.scripts.map((s) => {
      const { code: _c, codeError: _e, ...rest } = s;
      return rest;
    }),
    frames: trace.frames.map((f) => {
      if (f.kind !== 'script') return f;
      const { self: _s, ...rest } = f;
      return rest;
    }),
    stacks,
  };
}
