/**
 * Reading trace files: our format, or a V8 `.heapprofile` (node --heap-prof, Chrome DevTools).
 * Everything read is validated; a corrupt, truncated, empty or foreign file is an
 * `AlloctraceError` naming the file, never a crash further down.
 */
import { AlloctraceError, describeError } from '../errors';
import { readRegularFile } from '../read-file';
import type { TraceFile } from './format';
import { TRACE_FORMAT, TRACE_VERSION } from './format';
import { META_DEFAULTS, newMeta } from './meta';
import { checkRecord, FRAME_FIELDS, isLineRecord, KIND_FIELDS, META_FIELDS, SCRIPT_FIELDS, THREAD_FIELDS } from './schema';
import type { V8ProfileNode, V8SamplingProfile } from './v8-profile';
import { traceFromV8Profile } from './v8-profile';

/** `node --heap-prof`'s default interval, assumed for `.heapprofile` files (they do not record it). */
export const HEAPPROFILE_DEFAULT_INTERVAL = 512 * 1024;

/** Largest trace read: about the longest string V8 makes (JSON.parse needs the text whole). */
export const MAX_TRACE_BYTES = 512 * 1024 * 1024;

export interface ReadOptions {
  /** Sampling interval to assume for `.heapprofile` input. */
  heapProfileInterval?: number;
  /** Project root for paths in `.heapprofile` input (they record none). */
  heapProfileRoot?: string;
  producer: string;
}

/** Reads and validates a trace file; errors name it as `name` (e.g. as the user typed it). */
export function readTraceFile(file: string, options: ReadOptions, name: string = file): TraceFile {
  let text: string;
  try {
    text = readRegularFile(file, MAX_TRACE_BYTES);
  } catch (error) {
    throw new AlloctraceError('ERR_TRACE_READ', `cannot read ${name}: ${describeError(error)}`);
  }
  return parseTrace(text, name, options);
}

export function parseTrace(text: string, name: string, options: ReadOptions): TraceFile {
  const fail = (why: string): never => {
    throw new AlloctraceError('ERR_TRACE_FORMAT', `${name}: ${why}`);
  };
  if (text.trim() === '') fail('empty file, not a trace');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail(text.trimStart().startsWith('{') ? 'truncated or corrupt JSON, not a complete trace' : 'not a trace file (not JSON)');
  }
  if (!isObject(value)) return fail('not a trace file (JSON, but not an object)');
  if (value['format'] === TRACE_FORMAT) {
    if (value['version'] !== TRACE_VERSION) {
      fail(`trace format version ${String(value['version'])} is not supported (this alloctrace reads version ${TRACE_VERSION})`);
    }
    const problem = validateTrace(value);
    if (problem !== null) fail(`corrupt trace: ${problem}`);
    const trace = value as unknown as TraceFile;
    return { ...trace, meta: { ...META_DEFAULTS, ...trace.meta } };
  }
  if (isObject(value['head']) && isObject(value['head']['callFrame'])) {
    const problem = validateHeapProfile(value);
    if (problem !== null) fail(`corrupt .heapprofile: ${problem}`);
    return importHeapProfile(value as unknown as V8SamplingProfile, options);
  }
  return fail('not an alloctrace trace or a V8 .heapprofile');
}

function importHeapProfile(profile: V8SamplingProfile, options: ReadOptions): TraceFile {
  const interval = options.heapProfileInterval ?? HEAPPROFILE_DEFAULT_INTERVAL;
  const notes = [
    options.heapProfileInterval === undefined
      ? `imported .heapprofile: interval not recorded, counts assume ${interval / 1024} KiB (node --heap-prof's default; set --interval)`
      : `imported .heapprofile: counts assume the given interval of ${interval} bytes`,
  ];
  const meta = newMeta({ root: options.heapProfileRoot ?? null, interval, reason: 'import', notes });
  return traceFromV8Profile(profile, { meta, producer: options.producer });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntArray(value: unknown, min: number, max: number): value is number[] {
  if (!Array.isArray(value)) return false;
  for (const v of value) if (!Number.isInteger(v) || v < min || v > max) return false;
  return true;
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** What is wrong with a frame (by the schema's field tables), or `null`. */
function validateFrame(frame: unknown, scriptCount: number): string | null {
  if (!isObject(frame) || typeof frame['name'] !== 'string') return 'frame without a name';
  const kind = frame['kind'];
  if (kind !== 'script' && kind !== 'builtin' && kind !== 'pseudo' && kind !== 'collected') return `unknown frame kind ${JSON.stringify(kind)}`;
  const bad = checkRecord(frame, FRAME_FIELDS[kind]);
  if (bad === null) {
    const script = frame['script'] as number;
    return kind === 'script' && (script < 0 || script >= scriptCount) ? 'frame points at a missing script' : null;
  }
  if (kind === 'collected' && bad === 'scriptId') return 'collected frame without scriptId';
  if (bad === 'script') return 'frame points at a missing script';
  if (bad === 'line' || bad === 'column') return 'frame without a position';
  if (bad.startsWith('original')) return 'frame with a malformed original position';
  if (bad === 'self') return 'malformed frame self line';
  return `malformed frame (${bad.split(".")[0]})`;
}

/** Returns what is wrong with a parsed trace, or `null`. Checks every index the analyzers follow. */
export function validateTrace(value: Record<string, unknown>): string | null {
  const metaProblem = validateMeta(value['meta']);
  if (metaProblem !== null) return metaProblem;
  const scripts = value['scripts'];
  if (!Array.isArray(scripts)) return 'missing scripts';
  for (const s of scripts) {
    const bad = checkRecord(s, SCRIPT_FIELDS);
    if (bad !== null) return bad === '' ? 'malformed script' : `malformed script (${bad})`;
  }
  const frames = value['frames'];
  if (!Array.isArray(frames)) return 'missing frames';
  for (const f of frames) {
    const problem = validateFrame(f, scripts.length);
    if (problem !== null) return problem;
  }
  const stacks = value['stacks'];
  if (!isObject(stacks)) return 'missing stacks';
  const frameCol = stacks['frame'];
  const parentCol = stacks['parent'];
  if (!isIntArray(frameCol, 0, frames.length - 1)) return 'stack points at a missing frame';
  if (!Array.isArray(parentCol) || parentCol.length !== frameCol.length) return 'stack columns differ in length';
  for (let i = 0; i < parentCol.length; i++) {
    const p = parentCol[i];
    // Parents come first: this also rules out cycles.
    if (!Number.isInteger(p) || p < -1 || p >= i) return 'stack parent out of order';
  }
  const call = stacks['call'];
  if (call !== undefined) {
    if (!Array.isArray(call) || call.length !== frameCol.length) return 'stack columns differ in length';
    for (const c of call) if (c !== null && !isLineRecord(c)) return 'malformed stack call line';
  }
  const samples = value['samples'];
  if (!isObject(samples)) return 'missing samples';
  const { stack, size, count, ordinal } = samples;
  if (!isIntArray(stack, 0, frameCol.length - 1)) return 'sample points at a missing stack';
  if (!isNumberArray(size) || !isNumberArray(count) || !isNumberArray(ordinal)) return 'malformed sample columns';
  if (size.length !== stack.length || count.length !== stack.length || ordinal.length !== stack.length) return 'sample columns differ in length';
  return validateThreads(value['threads'], samples['thread'], stack.length) ?? validateKinds(value['kinds'], samples['kind'], stack.length) ?? rangeProblem(value);
}

/** The optional kinds table of an object trace and its sample column. */
function validateKinds(kinds: unknown, column: unknown, samples: number): string | null {
  if (kinds === undefined && column === undefined) return null;
  if (!Array.isArray(kinds) || kinds.length === 0) return 'sample kind column without a kinds table';
  for (const k of kinds) if (checkRecord(k, KIND_FIELDS) !== null) return 'malformed kind';
  if (!isIntArray(column, 0, kinds.length - 1)) return 'sample points at a missing kind';
  if (column.length !== samples) return 'sample columns differ in length';
  return null;
}

/** Every meta field a reader or renderer uses, with its type; a missing one gets its default. */
function validateMeta(meta: unknown): string | null {
  const bad = checkRecord(meta, META_FIELDS);
  if (bad === null) return null;
  if (bad === '') return 'missing meta';
  return bad === 'argv' || bad === 'notes' ? 'bad meta' : `bad meta.${bad.split('.')[0]}`;
}

/** The optional isolate table of a merged trace and its sample column. */
function validateThreads(threads: unknown, column: unknown, samples: number): string | null {
  if (threads === undefined && column === undefined) return null;
  if (!Array.isArray(threads) || threads.length === 0) return 'sample thread column without a threads table';
  for (const t of threads) if (checkRecord(t, THREAD_FIELDS) !== null) return 'malformed thread';
  if (!isIntArray(column, 0, threads.length - 1)) return 'sample points at a missing thread';
  if (column.length !== samples) return 'sample columns differ in length';
  return null;
}

function validateHeapProfile(value: Record<string, unknown>): string | null {
  const work: unknown[] = [value['head']];
  const depths: number[] = [1];
  const ids = new Set<number>();
  let nodes = 0;
  while (work.length > 0) {
    const node = work.pop();
    const depth = depths.pop()!;
    if (depth > MAX_STACK_DEPTH + 1) return `stack deeper than ${MAX_STACK_DEPTH} frames (V8 records at most 128)`;
    if (!isObject(node)) return 'malformed node';
    const cf = node['callFrame'];
    if (!isObject(cf) || typeof cf['functionName'] !== 'string' || typeof cf['url'] !== 'string') return 'malformed callFrame';
    if (typeof cf['lineNumber'] !== 'number' || typeof cf['columnNumber'] !== 'number') return 'callFrame without position';
    if (typeof node['selfSize'] !== 'number' || typeof node['id'] !== 'number') return 'node without selfSize or id';
    if (!inRange(node['selfSize'], 0, MAX_BYTES)) return 'node selfSize out of range';
    if (ids.has(node['id'])) return 'duplicate node id';
    ids.add(node['id']);
    if (++nodes > 50_000_000) return 'too many nodes';
    const children = node['children'];
    if (children === undefined) continue;
    if (!Array.isArray(children)) return 'malformed children';
    for (const c of children) {
      work.push(c);
      depths.push(depth + 1);
    }
  }
  const samples = value['samples'];
  if (samples !== undefined) {
    if (!Array.isArray(samples)) return 'malformed samples';
    for (const s of samples) {
      if (!isObject(s) || typeof s['size'] !== 'number' || typeof s['nodeId'] !== 'number') return 'malformed sample';
      if (!inRange(s['size'], 0, MAX_BYTES)) return 'sample size out of range';
    }
  }
  return null;
}

/*
 * Ranges, after the shape is known good (`schema.ts` checked every field's type): types alone let `size=-931 GiB`,
 * `count=-3`, `file.js:-5` or an interval of 1e-300 bytes through to the report.
 */

/** Largest byte figure believed: 2^53, beyond which sums stop being exact. */
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
/** V8's sampling interval is an int (bytes). */
const MAX_INTERVAL = 2_147_483_647;
/**
 * Deepest stack believed: V8 records at most 128 frames, so 8 times that leaves room and still
 * stops a crafted 200 000-frame chain from costing every sample its whole depth.
 */
export const MAX_STACK_DEPTH = 1024;
/** Lines and columns are V8's ints, made 1-based. */
const MAX_POSITION = 2_147_483_648;

const CODE_STATUSES: ReadonlySet<unknown> = new Set(['parsed', 'unreadable', 'unparsable', 'skipped']);
const EXACT_LINES: ReadonlySet<unknown> = new Set(['wrapped', 'read']);

function inRange(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && value >= min && value <= max;
}

function isPosition(value: unknown): boolean {
  return isObject(value) && Number.isInteger(value['line']) && inRange(value['line'], 1, MAX_POSITION) && Number.isInteger(value['column']) && inRange(value['column'], 0, MAX_POSITION);
}

function pointInRange(point: unknown): boolean {
  if (!isObject(point) || !isPosition(point)) return false;
  const original = point['original'];
  return original === undefined || (isObject(original) && inRange(original['line'], 1, MAX_POSITION));
}

function lineRecordInRange(record: unknown): boolean {
  if (!isObject(record)) return true;
  if (record['exact'] !== undefined) return pointInRange(record['exact']);
  return (record['candidates'] as unknown[]).every(pointInRange);
}

/** What is out of range in a trace whose shape `validateTrace` accepted, or `null`. */
export function rangeProblem(value: Record<string, unknown>): string | null {
  const meta = value['meta'] as Record<string, unknown>;
  if (meta['interval'] !== null && !inRange(meta['interval'], 1, MAX_INTERVAL)) return 'meta.interval out of range';
  if (meta['pid'] !== undefined && meta['pid'] !== null && !inRange(meta['pid'], 0, MAX_INTERVAL)) return 'meta.pid out of range';
  if (meta['sequence'] !== undefined && !inRange(meta['sequence'], 0, MAX_BYTES)) return 'meta.sequence out of range';
  for (const s of value['scripts'] as Array<Record<string, unknown>>) {
    if (s['code'] !== undefined && !CODE_STATUSES.has(s['code'])) return 'malformed script (code)';
    if (s['codeError'] !== undefined && typeof s['codeError'] !== 'string') return 'malformed script (codeError)';
    if (s['exactLines'] !== undefined && !EXACT_LINES.has(s['exactLines'])) return 'malformed script (exactLines)';
    if (s['evalOf'] !== undefined && !inRange(s['evalOf'], 0, MAX_BYTES)) return 'malformed script (evalOf)';
  }
  for (const f of value['frames'] as Array<Record<string, unknown>>) {
    if (f['kind'] === 'script') {
      if (!isPosition(f)) return 'frame position out of range';
      const original = f['original'];
      if (isObject(original) && !(inRange(original['line'], 1, MAX_POSITION) && inRange(original['column'], 0, MAX_POSITION))) return 'frame original position out of range';
      if (f['topLevel'] !== undefined && typeof f['topLevel'] !== 'boolean') return 'malformed frame (topLevel)';
      if (f['wrapper'] !== undefined && !isPosition(f['wrapper'])) return 'malformed frame (wrapper)';
      if (!lineRecordInRange(f['self'])) return 'frame self line out of range';
    } else if (f['kind'] === 'collected') {
      if (!inRange(f['scriptId'], 0, MAX_BYTES)) return 'collected frame scriptId out of range';
      if (f['bootstrap'] !== undefined && typeof f['bootstrap'] !== 'boolean') return 'malformed frame (bootstrap)';
    }
  }
  const stacks = value['stacks'] as Record<string, number[]>;
  const parents = stacks['parent'] as number[];
  const depth = new Uint16Array(parents.length);
  for (let i = 0; i < parents.length; i++) {
    const p = parents[i]!;
    // Parents come first (validateTrace checked), so one pass gives every depth.
    const d = p < 0 ? 1 : depth[p]! + 1;
    if (d > MAX_STACK_DEPTH) return `stack deeper than ${MAX_STACK_DEPTH} frames (V8 records at most 128)`;
    depth[i] = d;
  }
  const call = (value['stacks'] as Record<string, unknown>)['call'];
  if (Array.isArray(call) && !call.every(lineRecordInRange)) return 'stack call line out of range';
  const samples = value['samples'] as Record<string, number[]>;
  const { size, count, ordinal } = samples as { size: number[]; count: number[]; ordinal: number[] };
  for (let i = 0; i < size.length; i++) {
    if (!inRange(size[i], 0, MAX_BYTES)) return 'sample size out of range';
    // An estimate of how many allocations one sample stands for: at least the one sampled.
    if (!inRange(count[i], 1, MAX_BYTES)) return 'sample count out of range';
    if (!inRange(ordinal[i], 0, Number.MAX_VALUE)) return 'sample ordinal out of range';
  }
  const threads = value['threads'];
  if (Array.isArray(threads)) {
    for (const t of threads as Array<Record<string, unknown>>) {
      if (!inRange(t['id'], 0, MAX_BYTES) || !(t['pid'] === null || inRange(t['pid'], 0, MAX_INTERVAL))) return 'thread out of range';
    }
  }
  return null;
}

export type { V8ProfileNode };
