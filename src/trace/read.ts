/**
 * Reading trace files: our format, or a V8 `.heapprofile` (node --heap-prof, Chrome DevTools).
 * Everything read is validated; a corrupt, truncated, empty or foreign file is an
 * `AlloctraceError` naming the file, never a crash further down.
 */
import * as fs from 'node:fs';
import { AlloctraceError, describeError } from '../errors';
import type { FrameRecord, TraceFile, TraceMeta } from './format';
import { TRACE_FORMAT, TRACE_VERSION } from './format';
import type { V8ProfileNode, V8SamplingProfile } from './v8-profile';
import { traceFromV8Profile } from './v8-profile';

/** `node --heap-prof`'s default interval, assumed for `.heapprofile` files (they do not record it). */
export const HEAPPROFILE_DEFAULT_INTERVAL = 512 * 1024;

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
    text = fs.readFileSync(file, 'utf8');
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
  const meta: TraceMeta = {
    nodeVersion: null,
    v8Version: null,
    platform: null,
    pid: null,
    argv: [],
    execArgv: [],
    cwd: null,
    root: options.heapProfileRoot ?? null,
    interval,
    mode: null,
    startTime: null,
    time: null,
    reason: 'import',
    sequence: 0,
    thread: { id: 0, name: 'main' },
    flags: [],
    notes,
  };
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

function isCodePoint(value: unknown): boolean {
  if (!isObject(value) || !Number.isInteger(value['line']) || !Number.isInteger(value['column'])) return false;
  const original = value['original'];
  return original === undefined || (isObject(original) && typeof original['source'] === 'string' && Number.isInteger(original['line']));
}

/** A `LineRecord`: `{ exact: point }` or `{ candidates: [point, …] }`. */
function isLineRecord(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value['exact'] !== undefined) return isCodePoint(value['exact']);
  const candidates = value['candidates'];
  return Array.isArray(candidates) && candidates.length > 0 && candidates.every(isCodePoint);
}

function validateFrame(frame: unknown, scriptCount: number): string | null {
  if (!isObject(frame) || typeof frame['name'] !== 'string') return 'frame without a name';
  switch (frame['kind']) {
    case 'builtin':
    case 'pseudo':
      return null;
    case 'collected':
      return Number.isInteger(frame['scriptId']) ? null : 'collected frame without scriptId';
    case 'script': {
      const script = frame['script'];
      if (!Number.isInteger(script) || (script as number) < 0 || (script as number) >= scriptCount) return 'frame points at a missing script';
      if (!Number.isInteger(frame['line']) || !Number.isInteger(frame['column'])) return 'frame without a position';
      const original = frame['original'];
      if (original !== undefined) {
        if (
          !isObject(original) ||
          typeof original['source'] !== 'string' ||
          !Number.isInteger(original['line']) ||
          !Number.isInteger(original['column']) ||
          !(original['name'] === undefined || isStringOrNull(original['name']))
        ) {
          return 'frame with a malformed original position';
        }
      }
      return null;
    }
    default:
      return `unknown frame kind ${JSON.stringify(frame['kind'])}`;
  }
}

/** Returns what is wrong with a parsed trace, or `null`. Checks every index the analyzers follow. */
export function validateTrace(value: Record<string, unknown>): string | null {
  const metaProblem = validateMeta(value['meta']);
  if (metaProblem !== null) return metaProblem;
  const scripts = value['scripts'];
  if (!Array.isArray(scripts)) return 'missing scripts';
  for (const s of scripts) {
    if (!isObject(s) || typeof s['url'] !== 'string' || !isStringOrNull(s['path']) || !MAP_STATUSES.has(s['map'] as string)) return 'malformed script';
    if (s['mapError'] !== undefined && typeof s['mapError'] !== 'string') return 'malformed script';
    if (s['evalOf'] !== undefined && !Number.isInteger(s['evalOf'])) return 'malformed script';
    if (s['memoryCode'] !== undefined && typeof s['memoryCode'] !== 'string') return 'malformed script';
  }
  const frames = value['frames'];
  if (!Array.isArray(frames)) return 'missing frames';
  for (const f of frames) {
    const problem = validateFrame(f as FrameRecord, scripts.length);
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
  for (const f of frames) if (isObject(f) && f['self'] !== undefined && !isLineRecord(f['self'])) return 'malformed frame self line';
  const samples = value['samples'];
  if (!isObject(samples)) return 'missing samples';
  const { stack, size, count, ordinal } = samples;
  if (!isIntArray(stack, 0, frameCol.length - 1)) return 'sample points at a missing stack';
  if (!isNumberArray(size) || !isNumberArray(count) || !isNumberArray(ordinal)) return 'malformed sample columns';
  if (size.length !== stack.length || count.length !== stack.length || ordinal.length !== stack.length) return 'sample columns differ in length';
  return validateThreads(value['threads'], samples['thread'], stack.length);
}

const MAP_STATUSES: ReadonlySet<string> = new Set(['none', 'external', 'inline', 'memory', 'error', 'unresolved']);
const REASONS: ReadonlySet<string> = new Set(['exit', 'signal', 'interval', 'api', 'import']);

function isStringOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Every meta field a reader or renderer uses, with its type; a missing one gets its default. */
function validateMeta(meta: unknown): string | null {
  if (!isObject(meta)) return 'missing meta';
  const has = (key: string): boolean => meta[key] !== undefined;
  if (meta['interval'] !== null && !(typeof meta['interval'] === 'number' && meta['interval'] > 0 && Number.isFinite(meta['interval']))) return 'bad meta.interval';
  if (!isStringArray(meta['notes']) || !isStringArray(meta['argv'])) return 'bad meta';
  for (const key of ['execArgv', 'flags']) if (has(key) && !isStringArray(meta[key])) return `bad meta.${key}`;
  for (const key of ['nodeVersion', 'v8Version', 'platform', 'cwd', 'root', 'startTime', 'time']) if (has(key) && !isStringOrNull(meta[key])) return `bad meta.${key}`;
  if (has('pid') && meta['pid'] !== null && !Number.isInteger(meta['pid'])) return 'bad meta.pid';
  if (has('mode') && !(meta['mode'] === null || meta['mode'] === 'live' || meta['mode'] === 'allocated')) return 'bad meta.mode';
  if (has('reason') && !REASONS.has(meta['reason'] as string)) return 'bad meta.reason';
  if (has('sequence') && !Number.isInteger(meta['sequence'])) return 'bad meta.sequence';
  if (has('thread') && !isThread(meta['thread'])) return 'bad meta.thread';
  return null;
}

/** Defaults of meta fields a (hand-made or older) trace may leave out. */
const META_DEFAULTS: Omit<TraceMeta, 'argv' | 'notes' | 'interval'> = {
  nodeVersion: null, v8Version: null, platform: null, pid: null, execArgv: [], cwd: null, root: null, mode: null,
  startTime: null, time: null, reason: 'exit', sequence: 0, thread: { id: 0, name: 'main' }, flags: [],
};

function isThread(value: unknown): boolean {
  return isObject(value) && Number.isInteger(value['id']) && typeof value['name'] === 'string';
}

/** The optional isolate table of a merged trace and its sample column. */
function validateThreads(threads: unknown, column: unknown, samples: number): string | null {
  if (threads === undefined && column === undefined) return null;
  if (!Array.isArray(threads) || threads.length === 0) return 'sample thread column without a threads table';
  for (const t of threads) {
    if (!isThread(t) || !(t['pid'] === null || Number.isInteger(t['pid'])) || !isStringArray(t['argv'])) return 'malformed thread';
  }
  if (!isIntArray(column, 0, threads.length - 1)) return 'sample points at a missing thread';
  if (column.length !== samples) return 'sample columns differ in length';
  return null;
}

function validateHeapProfile(value: Record<string, unknown>): string | null {
  const work: unknown[] = [value['head']];
  const ids = new Set<number>();
  let nodes = 0;
  while (work.length > 0) {
    const node = work.pop();
    if (!isObject(node)) return 'malformed node';
    const cf = node['callFrame'];
    if (!isObject(cf) || typeof cf['functionName'] !== 'string' || typeof cf['url'] !== 'string') return 'malformed callFrame';
    if (typeof cf['lineNumber'] !== 'number' || typeof cf['columnNumber'] !== 'number') return 'callFrame without position';
    if (typeof node['selfSize'] !== 'number' || typeof node['id'] !== 'number') return 'node without selfSize or id';
    if (ids.has(node['id'])) return 'duplicate node id';
    ids.add(node['id']);
    if (++nodes > 50_000_000) return 'too many nodes';
    const children = node['children'];
    if (children === undefined) continue;
    if (!Array.isArray(children)) return 'malformed children';
    for (const c of children) work.push(c);
  }
  const samples = value['samples'];
  if (samples !== undefined) {
    if (!Array.isArray(samples)) return 'malformed samples';
    for (const s of samples) {
      if (!isObject(s) || typeof s['size'] !== 'number' || typeof s['nodeId'] !== 'number') return 'malformed sample';
    }
  }
  return null;
}

export type { V8ProfileNode };
