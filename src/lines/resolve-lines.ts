/**
 * Resolves real source lines after capture (never in the traced process): for every stack, the
 * line of the caller that made the call (`stacks.call`), and for every function that allocated in
 * its own frame, the line that did (`self`), each only where the function's code proves it.
 *
 * A call line is proven when the caller's own code has calls to the callee's name on one line
 * only; on a few lines it is `candidates`; otherwise nothing. Scripts are parsed once per run.
 */
import * as fs from 'node:fs';
import { formatSize } from '../units';
import { fileOfUrl } from '../trace/paths';
import type { CodePoint, FrameRecord, LineRecord, ScriptFrameRecord, ScriptRecord, TraceFile } from '../trace/format';
import type { SourceMapper } from '../symbolize/mapper';
import { sourcePath } from '../symbolize/symbolize';
import { analyseFunction, type ClassPart, type FunctionCode } from './constructs';
import { CodeCache } from './code-cache';
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
    const script = trace.scripts[i];
    const file = fileOfUrl(script?.url ?? '');
    let size = script?.memoryCode?.length ?? 0;
    try {
      if (script?.memoryCode === undefined && file !== null) size = fs.statSync(file).size;
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

/** A code point and the key of the line it names (original when mapped). */
interface LinePoint {
  key: string;
  point: CodePoint;
}

/**
 * A call line waiting for its callee's original name (minified code reuses short names: where
 * the map names both the call site and the callee, they must agree). The callee may live in a
 * script processed later, so the sites are kept as points, not syntax nodes.
 */
interface PendingCall {
  child: number;
  /** Sites that match whatever the callee's original name is. */
  certain: LinePoint[];
  /** Sites whose own original name must equal the callee's, by that name. */
  byName: Map<string, LinePoint[]>;
}

/** Adds `point` to `list` unless its line is there; stops growing past `MAX_CANDIDATES` lines. */
function addLine(list: LinePoint[], point: LinePoint): void {
  if (list.length > MAX_CANDIDATES || list.some((p) => p.key === point.key)) return;
  list.push(point);
}

/** One record for a set of lines: exact when there is one, candidates up to `MAX_CANDIDATES`. */
function recordOfLines(lists: ReadonlyArray<readonly LinePoint[]>): LineRecord | null {
  const byLine = new Map<string, CodePoint>();
  for (const list of lists) {
    for (const { key, point } of list) {
      if (!byLine.has(key)) byLine.set(key, point);
      if (byLine.size > MAX_CANDIDATES) return null;
    }
  }
  const points = [...byLine.values()];
  if (points.length === 0) return null;
  if (points.length === 1) return { exact: points[0]! };
  const lineOf = (p: CodePoint): number => p.original?.line ?? p.line;
  return { candidates: points.sort((a, b) => lineOf(a) - lineOf(b)) };
}

/**
 * Resolves the scripts not resolved yet (no `code` status); others keep what they have.
 *
 * One script at a time: its code is parsed, every question about its functions answered (their
 * own lines, the lines of the calls they make, their original names), and its syntax tree let go
 * before the next; a syntax tree takes some twenty to forty times its source in memory.
 */
export function resolveLines(trace: TraceFile, options: ResolveLinesOptions): ResolveLinesResult {
  // A saved trace passes through untouched (and without walking its stacks for the budget).
  if (!linesPending(trace)) return { trace, warnings: [] };
  const { mapper } = options;
  const cache = options.cache ?? new CodeCache();
  const root = trace.meta.root;
  const warnings: string[] = [];
  const used = new Set<number>();
  for (const f of trace.frames) if (f.kind === 'script' && trace.scripts[f.script]?.code === undefined) used.add(f.script);
  const allowed = scriptsWithinBudget(trace, used, options.parseBudget ?? LINES_PARSE_BUDGET);
  let skipped = 0;

  // Which frames each script holds, which of them allocated in their own frame, and which
  // (caller, callee) pairs the stacks hold, by the caller's script.
  const framesOf = new Map<number, number[]>();
  trace.frames.forEach((frame, index) => {
    if (frame.kind !== 'script' || !used.has(frame.script)) return;
    let list = framesOf.get(frame.script);
    if (list === undefined) framesOf.set(frame.script, (list = []));
    list.push(index);
  });
  const innermost = new Set<number>();
  for (const s of trace.samples.stack) innermost.add(trace.stacks.frame[s] ?? -1);
  const { frame: frameCol, parent: parentCol } = trace.stacks;
  const pairKey = (parent: number, child: number): string => `${parent},${child}`;
  const pairsOf = new Map<number, Map<string, [number, number]>>();
  for (let i = 0; i < frameCol.length; i++) {
    const p = parentCol[i] ?? -1;
    if (p < 0) continue;
    const parentIndex = frameCol[p]!;
    const parent = trace.frames[parentIndex];
    if (parent?.kind !== 'script' || !used.has(parent.script)) continue;
    let pairs = pairsOf.get(parent.script);
    if (pairs === undefined) pairsOf.set(parent.script, (pairs = new Map()));
    pairs.set(pairKey(parentIndex, frameCol[i]!), [parentIndex, frameCol[i]!]);
  }

  const selfOf = new Map<number, LineRecord>();
  const originalNames = new Map<number, string>();
  const calls = new Map<string, LineRecord | null>();
  const pending = new Map<string, PendingCall>();
  const unnamed = new Set<string>();
  const resolved = new Set<number>();

  const scripts: ScriptRecord[] = trace.scripts.map((script, i) => {
    if (script.code !== undefined) return script;
    if (!used.has(i)) return { ...script, code: 'unreadable' };
    resolved.add(i);
    if (!allowed.has(i)) {
      skipped += 1;
      return { ...script, code: 'skipped' };
    }
    const load = cache.load(script.url, script.memoryCode, startedMs(trace), wantedPositions(trace, i, framesOf.get(i) ?? []));
    const record: ScriptRecord = { ...script, code: load.status };
    if (load.status === 'unparsable') {
      record.codeError = load.error;
      warnings.push(`${script.path ?? script.url}: ${load.changed === true ? load.error : `cannot parse (${load.error})`}; its lines stay at function starts`);
    }
    if (load.status === 'parsed') {
      resolveScript(trace, i, load.code, cache, mapper, root, framesOf.get(i) ?? [], innermost, pairsOf.get(i) ?? new Map(), {
        selfOf,
        originalNames,
        calls,
        pending,
        unnamed,
      });
      cache.release();
    }
    return record;
  });

  if (skipped > 0) {
    const budget = formatSize(options.parseBudget ?? LINES_PARSE_BUDGET);
    warnings.push(`lines: ${skipped} script(s) that account for the least memory were not parsed (over the ${budget} parse budget); their rows keep function lines`);
  }

  // Every script is done: each callee's original name is known where its code could tell.
  for (const [key, call] of pending) {
    const name = originalNames.get(call.child);
    const lists = name === undefined ? [call.certain, ...call.byName.values()] : [call.certain, call.byName.get(name) ?? []];
    calls.set(key, recordOfLines(lists));
  }

  // Before pinning inlined calls: their records are proven for the inlined function already.
  demoteAmbiguousCalls(trace, pairsOf, calls);
  resolveInlinedCalls(trace, pairsOf, calls, unnamed, (f) => {
    const frame = trace.frames[f];
    return frame?.kind === 'script' && resolved.has(frame.script) && scripts[frame.script]?.code === 'parsed';
  });

  const frames: FrameRecord[] = trace.frames.map((frame, index) => {
    if (frame.kind !== 'script' || !resolved.has(frame.script)) return frame;
    const { self: _stale, ...rest } = frame;
    // Minified code: the map names a function at its declared name, not at V8's position.
    const name = originalNames.get(index);
    if (rest.original !== undefined && rest.original.name === null && rest.topLevel !== true && name !== undefined) {
      rest.original = { ...rest.original, name };
    }
    const self = selfOf.get(index);
    return self === undefined ? rest : { ...rest, self };
  });

  const call: Array<LineRecord | null> = frameCol.map((childIndex, i) => {
    const previous = trace.stacks.call?.[i] ?? null;
    const p = parentCol[i] ?? -1;
    if (p < 0) return previous;
    const parentIndex = frameCol[p]!;
    const parent = trace.frames[parentIndex];
    if (parent?.kind !== 'script' || !resolved.has(parent.script)) return previous;
    return calls.get(pairKey(parentIndex, childIndex)) ?? null;
  });

  return { trace: { ...trace, scripts, frames, stacks: { ...trace.stacks, call } }, warnings };
}

/** What the scripts' passes find, kept as plain data (no syntax nodes) until every script is done. */
interface Findings {
  /** Frame → the line its own allocations are on. */
  selfOf: Map<number, LineRecord>;
  /** Frame → its original name from the map, where the generated code names it. */
  originalNames: Map<number, string>;
  /** `caller,callee` → the call's line, decided. */
  calls: Map<string, LineRecord | null>;
  /** `caller,callee` → call lines waiting for the callee's original name. */
  pending: Map<string, PendingCall>;
  /** `caller,callee` pairs whose caller's code has no call that can reach the callee. */
  unnamed: Set<string>;
}

/** Answers every question about the frames of one parsed script (see `resolveLines`). */
function resolveScript(
  trace: TraceFile,
  scriptIndex: number,
  code: ScriptCode,
  cache: CodeCache,
  mapper: SourceMapper | null,
  root: string | null,
  frameIndexes: readonly number[],
  innermost: ReadonlySet<number>,
  pairs: ReadonlyMap<string, [number, number]>,
  found: Findings,
): void {
  const script = trace.scripts[scriptIndex]!;
  const url = script.url;
  const wraps = script.exactLines !== undefined ? cache.wrapsOf(url, code) : null;

  const nodes = new Map<number, AstNode | null>();
  const nodeOf = (index: number): AstNode | null => {
    if (nodes.has(index)) return nodes.get(index) ?? null;
    const frame = trace.frames[index];
    let node: AstNode | null = null;
    if (frame?.kind === 'script' && frame.script === scriptIndex) {
      if (frame.topLevel === true) {
        node = code.program;
      } else {
        const offset = code.offsetOf(frame.line, frame.column);
        node = offset === null ? null : code.functionAt(offset);
      }
    }
    nodes.set(index, node);
    return node;
  };

  const wrapByStart = new Map((wraps ?? []).map((w) => [w.start, w]));
  /** `--exact-lines`: the wrap whose function frame `index` is. */
  const wrapOf = (index: number): Wrap | null => {
    const frame = trace.frames[index];
    if (frame?.kind !== 'script' || frame.wrapper === undefined || frame.script !== scriptIndex) return null;
    const offset = code.offsetOf(frame.wrapper.line, frame.wrapper.column);
    return offset === null ? null : wrapByStart.get(offset) ?? null;
  };

  const functions = new Map<number, FunctionCode | null>();
  const functionOf = (index: number): FunctionCode | null => {
    if (functions.has(index)) return functions.get(index) ?? null;
    const node = nodeOf(index);
    const frame = trace.frames[index];
    let result: FunctionCode | null = null;
    if (frame?.kind === 'script' && frame.wrapper !== undefined) {
      // A wrapper's code is its expression, less the wraps inside it. Proven like a function's:
      // in a minified bundle one expression spans several original lines (esbuild folds
      // `const lines = [...]; return lines.join()` into one), and its start names only the first.
      const wrap = wrapOf(index);
      const expression = wrap === null ? null : code.nodeSpanning(wrap.start, wrap.end);
      if (wrap !== null && expression !== null) result = withoutWrapped(analyseFunction(expression), (wraps ?? []).filter((w) => w !== wrap));
    } else if (node !== null && frame !== undefined) {
      const part = CLASS_PARTS[frame.name];
      // A frame at a class's start that is neither initializer is its implicit constructor.
      result = isClassNode(node) ? analyseFunction(node, part ?? 'constructor') : part !== undefined ? null : analyseFunction(node);
      if (result !== null && wraps !== null) result = withoutWrapped(result, wraps);
    }
    functions.set(index, result);
    return result;
  };

  const pointAt = (offset: number): LinePoint => {
    const { line, column } = code.positionOf(offset);
    const point: CodePoint = { line, column };
    const resolved = mapper?.resolve(url, { line, column });
    if (resolved?.kind === 'mapped') {
      point.original = { source: sourcePath(root, resolved.source), line: resolved.line, column: resolved.column, name: resolved.name };
      return { key: `${point.original.source}\u0000${point.original.line}`, point };
    }
    return { key: `\u0000${point.line}`, point };
  };

  const linesOf = (offsets: readonly number[]): LineRecord | null => {
    const list: LinePoint[] = [];
    for (const offset of offsets) {
      addLine(list, pointAt(offset));
      if (list.length > MAX_CANDIDATES) return null;
    }
    return recordOfLines([list]);
  };


  for (const index of frameIndexes) {
    const frame = trace.frames[index];
    if (frame?.kind !== 'script') continue;
    // The map's name for the function's declared name (minified code), where it has one.
    const node = nodeOf(index);
    const id = node === null || mapper === null ? null : code.nameNodeOf(node);
    const name = id === null ? null : pointAt(id.start).point.original?.name ?? null;
    if (name !== null) found.originalNames.set(index, name);
    // Only functions that allocated in their own frame need a `self` line.
    const self = innermost.has(index) ? ownLine(functionOf(index), linesOf) : null;
    if (self !== null) found.selfOf.set(index, self);
  }

  for (const [key, [parent, childIndex]] of pairs) {
    // A wrapper is called where its expression is: the lines its own code proves.
    if (wrapOf(childIndex) !== null) {
      found.calls.set(key, ownLine(functionOf(childIndex), linesOf));
      continue;
    }
    const caller = functionOf(parent);
    const callee = trace.frames[childIndex];
    if (caller === null || callee === undefined || callee.kind === 'pseudo') {
      found.calls.set(key, null);
      continue;
    }
    const name = callName(callee.name);
    const calleeNode = callee.kind === 'script' && callee.script === (trace.frames[parent] as ScriptFrameRecord).script ? nodeOf(childIndex) : null;
    const call: PendingCall = { child: childIndex, certain: [], byName: new Map() };
    for (const site of caller.calls) {
      const direct = calleeNode !== null && site.calleeFunction === calleeNode;
      if (!direct && (name === '' || !site.names.includes(name))) continue;
      const point = pointAt(site.offset);
      // Minified code reuses short names: a site the map names must agree with the callee's name.
      const siteName = !direct && callee.kind === 'script' && site.nameOffset !== null && site.names[0] === name ? pointAt(site.nameOffset).point.original?.name ?? null : null;
      if (siteName === null) {
        addLine(call.certain, point);
        if (call.certain.length > MAX_CANDIDATES) break;
      } else {
        let list = call.byName.get(siteName);
        if (list === undefined) call.byName.set(siteName, (list = []));
        addLine(list, point);
      }
    }
    if (call.certain.length === 0 && call.byName.size === 0) found.unnamed.add(key);
    if (call.certain.length > MAX_CANDIDATES) found.calls.set(key, null);
    else if (call.byName.size === 0) found.calls.set(key, recordOfLines([call.certain]));
    else found.pending.set(key, call);
  }
}

/** The key of the line a point names (original when mapped), as `pointAt` makes it. */
function lineKey(p: CodePoint): string {
  return p.original === undefined ? `\u0000${p.line}` : `${p.original.source}\u0000${p.original.line}`;
}

/** Longest chain of inlined calls followed from a caller to the callee V8 charged it with. */
const MAX_INLINED_DEPTH = 4;
/** How far the stacks are searched for other paths to the callee (that would break a proof). */
const REACH_DEPTH = 16;

/**
 * Calls V8 charged to a caller whose code makes no call that can reach the callee (`unnamed`):
 * a function inlined into the caller made them (TurboFan and Maglev inline small functions, and
 * the stack then skips them). The same trace holds the stacks of those calls before inlining:
 * caller → Y1 → … → callee. Followed through proven exact call lines only, every such path must
 * end at the same line in the same function: the call is pinned there (`in` that function when
 * it is not the caller), so one builtin call on one line is one row however V8 inlined it. A
 * path that leaves the resolved scripts (into Node's or a dependency's code) ends at the last
 * proven call into them. Several ends, a broken link or no path: no record, as before.
 */
function resolveInlinedCalls(
  trace: TraceFile,
  pairsOf: ReadonlyMap<number, ReadonlyMap<string, [number, number]>>,
  calls: Map<string, LineRecord | null>,
  unnamed: ReadonlySet<string>,
  resolvedFrame: (frame: number) => boolean,
): void {
  if (unnamed.size === 0) return;
  const callees = calleesOf(pairsOf);
  const reach = reachOf(trace, callees);
  const exactOf = (parent: number, child: number): CodePoint | null => {
    const record = calls.get(`${parent},${child}`);
    return record != null && 'exact' in record && record.in === undefined ? record.exact : null;
  };
  const decided = new Map<string, LineRecord | null>();
  for (const key of unnamed) {
    const [caller, callee] = key.split(',').map(Number) as [number, number];
    // No proven call out of the caller: no path can be followed (most pairs of unreadable code).
    if (!(callees.get(caller) ?? []).some((y) => y !== callee && exactOf(caller, y) !== null)) continue;
    // End of every path: `in` frame and point. `null` once a path cannot be followed.
    const ends = new Map<string, { frame: number; point: CodePoint }>();
    let broken = false;
    const walk = (frame: number, depth: number, seen: ReadonlySet<number>): void => {
      for (const next of callees.get(frame) ?? []) {
        if (broken) return;
        if ((next === callee && frame === caller) || seen.has(next)) continue;
        // Reachability looks further than paths are followed: a path too long to follow
        // breaks the proof instead of being overlooked.
        const point = exactOf(frame, next);
        if (next !== callee && !reachesFrom(reach, next, callee)) continue;
        if (point === null) {
          broken = true;
        } else if (next === callee || !resolvedFrame(next)) {
          ends.set(`${frame}\u0000${lineKey(point)}`, { frame, point });
        } else if (depth >= MAX_INLINED_DEPTH) {
          broken = true;
        } else {
          walk(next, depth + 1, new Set([...seen, next]));
        }
      }
    };
    walk(caller, 1, new Set([caller]));
    const [only, ...others] = [...ends.values()];
    decided.set(key, broken || only === undefined || others.length > 0 ? null : only.frame === caller ? { exact: only.point } : { exact: only.point, in: only.frame });
  }
  for (const [key, record] of decided) if (record !== null) calls.set(key, record);
}

/**
 * With inlining on, a caller that calls the callee itself (`f → h`, proven by name) and also
 * calls a function that reaches it (`f → g → h`, seen in the stacks) shows `f → h` for both once
 * `g` is inlined: the sampled call is on one of the two lines, not proven on the first. The
 * record becomes the lines of both calls in the caller (still exact when they share a line).
 */
function demoteAmbiguousCalls(
  trace: TraceFile,
  pairsOf: ReadonlyMap<number, ReadonlyMap<string, [number, number]>>,
  calls: Map<string, LineRecord | null>,
): void {
  if (trace.meta.flags.includes('no-inlining') || trace.meta.flags.includes('exact-lines')) return;
  const callees = calleesOf(pairsOf);
  const reach = reachOf(trace, callees);
  const demoted = new Map<string, LineRecord | null>();
  for (const [key, record] of calls) {
    if (record === null || ('exact' in record && record.in !== undefined)) continue;
    const [caller, callee] = key.split(',').map(Number) as [number, number];
    const others = (callees.get(caller) ?? []).filter((y) => y !== callee && y !== caller && reachesFrom(reach, y, callee));
    if (others.length === 0) continue;
    const points: LinePoint[] = [];
    const add = (r: LineRecord | null | undefined): boolean => {
      if (r == null || ('exact' in r && r.in !== undefined)) return false;
      for (const point of 'exact' in r ? [r.exact] : r.candidates) addLine(points, { key: lineKey(point), point });
      return true;
    };
    add(record);
    const known = others.every((y) => add(calls.get(`${caller},${y}`)));
    demoted.set(key, known ? recordOfLines([points]) : null);
  }
  for (const [key, record] of demoted) calls.set(key, record);
}

function calleesOf(pairsOf: ReadonlyMap<number, ReadonlyMap<string, [number, number]>>): Map<number, number[]> {
  const callees = new Map<number, number[]>();
  for (const pairs of pairsOf.values()) {
    for (const [parent, child] of pairs.values()) {
      let list = callees.get(parent);
      if (list === undefined) callees.set(parent, (list = []));
      list.push(child);
    }
  }
  return callees;
}

/** Most frames one reachability search collects; past it the answer is "reaches all" (the safe one). */
const REACH_VISITS = 4_000;
/** Most frames all searches of one trace collect together; past it every answer is "reaches all". */
const REACH_BUDGET = 2_000_000;

/** Frames the stacks show reachable from a frame: `null` when too many to tell (treat as all). */
type Reach = (from: number) => ReadonlySet<number> | null;

/**
 * Which frames the stacks show reachable from `from` in at most `REACH_DEPTH` calls that an
 * inlined call could have taken: not through a module's top level (the module loader runs it;
 * it is never inlined into a caller, and every `require` would otherwise reach every module's
 * calls). One search per frame, bounded: an answer too large to keep is "reaches all", which
 * can only take lines away.
 */
function reachOf(trace: TraceFile, callees: ReadonlyMap<number, readonly number[]>): Reach {
  const memo = new Map<number, Set<number> | null>();
  let spent = 0;
  const topLevel = (f: number): boolean => {
    const frame = trace.frames[f];
    return frame?.kind === 'script' && frame.topLevel === true;
  };
  return (from) => {
    if (memo.has(from)) return memo.get(from) ?? null;
    let found: Set<number> | null = new Set();
    if (spent >= REACH_BUDGET) found = null;
    else if (!topLevel(from)) {
      let level = [from];
      for (let d = 0; d < REACH_DEPTH && level.length > 0 && found !== null; d++) {
        const next: number[] = [];
        for (const f of level) {
          for (const c of callees.get(f) ?? []) {
            if (found.has(c)) continue;
            found.add(c);
            if (!topLevel(c)) next.push(c);
          }
          if (found.size > REACH_VISITS) {
            found = null;
            break;
          }
        }
        level = next;
      }
      spent += found === null ? REACH_VISITS : found.size;
    }
    memo.set(from, found);
    return found;
  };
}

const reachesFrom = (reach: Reach, from: number, to: number): boolean => {
  const set = reach(from);
  return set === null || set.has(to);
};

/** The line of a function's own allocations, or `null` when its code does not prove one. */
function ownLine(code: FunctionCode | null, linesOf: (offsets: readonly number[]) => LineRecord | null): LineRecord | null {
  return code === null ? null : linesOf(code.allocations);
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

/**
 * The function positions a script's frames ask about (the parse may skip every other function's
 * body), or `null` for the whole script: `--exact-lines` wraps are planned over all of it. A
 * top-level frame needs no bodies (its own code stops at every function).
 */
function wantedPositions(trace: TraceFile, scriptIndex: number, frameIndexes: readonly number[]): Array<{ line: number; column: number }> | null {
  if (trace.scripts[scriptIndex]?.exactLines !== undefined) return null;
  const wanted: Array<{ line: number; column: number }> = [];
  for (const index of frameIndexes) {
    const frame = trace.frames[index];
    if (frame?.kind === 'script' && frame.topLevel !== true) wanted.push({ line: frame.line, column: frame.column });
  }
  return wanted;
}

/** When the traced program started (ms since the epoch), if the trace says. */
function startedMs(trace: TraceFile): number | undefined {
  const started = trace.meta.startTime === null ? NaN : Date.parse(trace.meta.startTime);
  return Number.isFinite(started) ? started : undefined;
}
