/**
 * The fuzz loop, run in a worker thread so the test can stop it: a hang is a failure, not a
 * stuck test run. Mutates a real trace (sampled here, by V8) and a real source map (esbuild's),
 * feeds them to every reader and analyzer, and reports any throw that is not an AlloctraceError.
 * Input classes beyond random values: special files named as scripts and maps (/dev/zero, a FIFO,
 * /dev/stdin: a read of one hangs, and the hang bound catches it), deep stack chains, and control
 * characters in every string (a rendered text report must hold none but its own newlines).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildStatisticsReport } from '../../src/analyze/report';
import { GROUP_BYS } from '../../src/analyze/statistics';
import { SamplingEngine } from '../../src/capture/engine';
import { isAlloctraceError } from '../../src/errors';
import { renderStatisticsJson } from '../../src/report/json';
import { renderStatisticsText } from '../../src/report/text';
import { SourceMapper } from '../../src/symbolize/mapper';
import { CodeCache } from '../../src/lines/code-cache';
import { symbolizeTrace } from '../../src/symbolize/symbolize';
import { mergeTraces, selectIsolates } from '../../src/trace/merge';
import { parseTrace } from '../../src/trace/read';
import { traceFromV8Profile } from '../../src/trace/v8-profile';
import { formatWarnings } from '../../src/cli/present';
import { isolateNotes } from '../../src/pipeline/report';
import { resolveTrace } from '../../src/pipeline/resolve';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filterTrace } from '../../src/analyze/filter';

export interface FuzzInput {
  seed: number;
  iterations: number;
  budgetMs: number;
}

export interface FuzzResult {
  traceRuns: number;
  mapRuns: number;
  accepted: number;
  rejected: number;
  failures: string[];
  /** Traces made with a deep stack chain, and with special files as scripts. */
  deep: number;
  special: number;
}

/** mulberry32: small, seeded, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function realTrace(): string {
  const engine = new SamplingEngine();
  engine.start({ interval: 1024, mode: 'live' });
  const held: unknown[] = [];
  for (let i = 0; i < 200; i++) held.push(new Array(200).fill(i), `text ${i}`.repeat(20));
  const profile = engine.profile();
  engine.stop();
  const meta = {
    nodeVersion: process.version, v8Version: process.versions.v8, platform: 'x', pid: 1, argv: ['a.js'], execArgv: [], cwd: '/', root: '/',
    interval: 1024, mode: 'live' as const, startTime: null, time: null, reason: 'exit' as const, sequence: 0, thread: { id: 0, name: 'main' }, flags: [], notes: ['n'],
  };
  const a = traceFromV8Profile(profile, { meta, producer: 'fuzz' });
  const b = traceFromV8Profile(profile, { meta: { ...meta, pid: 2, thread: { id: 3, name: 'w' } }, producer: 'fuzz' });
  a.scripts[0] = { ...a.scripts[0]!, memoryMap: { version: 3, sources: ['x.ts'], names: [], mappings: 'AAAA;AACA' } };
  held.length = 0;
  return JSON.stringify(mergeTraces([a, b]));
}

function realMap(): string {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const out = esbuild.transformSync('interface A { x: number }\nexport function f(a: A) {\n  return [a.x, new Array(10)];\n}\nexport const g = (n: number) => ({ n });\n', {
    loader: 'ts', sourcemap: 'external', sourcefile: 'src/a.ts', minify: true,
  });
  return out.map;
}

/** Files no reader may block on or read whole: devices and a FIFO with no writer. */
const SPECIAL_FILES: string[] = ['/dev/zero', 'file:///dev/zero', '/dev/stdin', '/dev/urandom'];
const fifoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-fuzz-'));
const fifo = path.join(fifoDir, 'named.fifo');
if (spawnSync('mkfifo', [fifo]).status === 0) SPECIAL_FILES.push(fifo, `${fifo}.js`);
spawnSync('mkfifo', [`${fifo}.js`]);
process.on('exit', () => fs.rmSync(fifoDir, { recursive: true, force: true }));

const CONTROL = ['\u001b]0;PWNED\u0007\u001b[2J', 'a\nTop 1 line (fake)\nfake.js:1 (evil): size=999 GiB', '\r\u0000\u009b31m', '\u202eevil'];

const VALUES: Array<(r: () => number) => unknown> = [
  (r) => SPECIAL_FILES[Math.floor(r() * SPECIAL_FILES.length)],
  (r) => CONTROL[Math.floor(r() * CONTROL.length)],
  (r) => `${CONTROL[Math.floor(r() * CONTROL.length)]}name`,
  () => null, () => -1, () => 0, () => 1e308, () => Number.MAX_SAFE_INTEGER, (r) => Math.floor(r() * 10), () => 1.5, () => '', () => 'x',
  () => [], () => ({}), () => true, () => [-1], () => ['a'], () => ({ id: 0, name: 'main' }), () => '\u0000', () => '../../../etc/passwd',
];

/** One structural mutation somewhere in a parsed JSON value (in place when possible). */
function mutateValue(value: unknown, r: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
  if (depth > 6 || value === null || typeof value !== 'object' || r() < 0.15) return pick(VALUES)(r);
  if (Array.isArray(value)) {
    if (value.length === 0) return [pick(VALUES)(r)];
    const i = Math.floor(r() * value.length);
    const op = r();
    if (op < 0.1) value.splice(i, 1);
    else if (op < 0.2) value.push(value[i]);
    else value[i] = mutateValue(value[i], r, depth + 1);
    return value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 0) return pick(VALUES)(r);
  const key = pick(keys);
  if (r() < 0.1) delete record[key];
  else record[key] = mutateValue(record[key], r, depth + 1);
  return record;
}

/** How often the structured input classes were produced. */
const classes = { deep: 0, special: 0 };

/** A chain of `depth` stacks, each the parent of the next, with a sample at every one. */
function deepChain(text: string, r: () => number): string {
  const trace = JSON.parse(text) as { stacks: { frame: number[]; parent: number[]; call?: unknown }; samples: Record<string, number[]>; threads?: unknown };
  // Around the bound (1 024): accepted ones are analysed, deeper ones must be refused.
  const depth = 1000 + Math.floor(r() * 2000);
  const frame = trace.stacks.frame[0] ?? 0;
  trace.stacks = { frame: Array<number>(depth).fill(frame), parent: Array.from({ length: depth }, (_, i) => i - 1) };
  // Samples on the deepest stacks only: enough to walk every frame, few enough to stay quick.
  const sampled = Array.from({ length: 8 }, (_, i) => depth - 1 - i);
  trace.samples = { stack: sampled, size: Array<number>(8).fill(64), count: Array<number>(8).fill(1), ordinal: sampled.map((_, i) => i) };
  delete trace.threads;
  return JSON.stringify(trace);
}

/** Every script named by a special file (or a control-character path). */
function specialScripts(text: string, r: () => number): string {
  const trace = JSON.parse(text) as { scripts: Array<Record<string, unknown>> };
  for (const script of trace.scripts) {
    const url = r() < 0.8 ? SPECIAL_FILES[Math.floor(r() * SPECIAL_FILES.length)]! : `/p/${CONTROL[Math.floor(r() * CONTROL.length)]!}.js`;
    Object.assign(script, { url, path: url, map: 'unresolved' });
    delete script['memoryMap'];
    delete script['memoryCode'];
    delete script['code'];
  }
  return JSON.stringify(trace);
}

function mutateText(text: string, r: () => number): string {
  const op = r();
  // Trace-only classes (the map text goes through here too).
  const isTrace = text.startsWith('{"format"');
  if (isTrace && op < 0.04) {
    classes.deep++;
    return deepChain(text, r);
  }
  if (isTrace && op < 0.1) {
    classes.special++;
    return specialScripts(text, r);
  }
  const at = Math.floor(r() * text.length);
  if (op < 0.2) return text.slice(0, at);
  if (op < 0.4) return text.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + text.slice(at + 1);
  if (op < 0.5) return text.slice(0, at) + text.slice(at, at + 50) + text.slice(at);
  return JSON.stringify(mutateValue(JSON.parse(text) as unknown, r));
}

/** One set of caches for the whole loop: the worker's own scripts are read and parsed once. */
const resolvers = { mapper: new SourceMapper(), cache: new CodeCache() };

/** A text report holds no control character but its own newlines, and no forged row. */
function checkText(text: string): void {
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/.test(text)) throw new Error(`raw control character in text: ${JSON.stringify(text.slice(0, 300))}`);
  if (/^fake\.js:1/m.test(text)) throw new Error('a forged row');
}

function exercise(trace: ReturnType<typeof parseTrace>): void {
  for (const groupBy of GROUP_BYS) {
    for (const userCode of [false, true]) {
      const report = buildStatisticsReport(trace, { groupBy, userCode, top: 5 });
      checkText(renderStatisticsText(report));
      renderStatisticsJson(report);
    }
  }
  const resolved = resolveTrace(trace, { sourceMaps: true, resolvers });
  checkText(formatWarnings(resolved.diagnostics));
  checkText(renderStatisticsText(buildStatisticsReport(resolved.trace, { groupBy: 'traceback', top: 5 })));
  isolateNotes(filterTrace(trace, { hideInternals: true, filters: [{ inclusive: false, pattern: '*.js' }] }));
  mergeTraces([trace, trace]);
  for (const thread of ['main', '3', 'w']) {
    try {
      selectIsolates(trace, { thread });
    } catch (error) {
      if (!isAlloctraceError(error)) throw error;
    }
  }
  const symbolized = symbolizeTrace(trace);
  buildStatisticsReport(symbolized.trace, { groupBy: 'lineno', top: null });
}

function run(input: FuzzInput): FuzzResult {
  const r = prng(input.seed);
  const started = Date.now();
  const traceText = realTrace();
  const mapText = realMap();
  const result: FuzzResult = { traceRuns: 0, mapRuns: 0, accepted: 0, rejected: 0, failures: [], deep: 0, special: 0 };
  for (let i = 0; i < input.iterations && Date.now() - started < input.budgetMs; i++) {
    let text = traceText;
    const rounds = 1 + Math.floor(r() * 2);
    for (let k = 0; k < rounds; k++) {
      try {
        text = mutateText(text, r);
      } catch {
        break; // already not JSON: further structural mutations cannot apply
      }
    }
    result.traceRuns++;
    try {
      const trace = parseTrace(text, 'fuzz.trace', { producer: 'fuzz' });
      result.accepted++;
      exercise(trace);
    } catch (error) {
      if (isAlloctraceError(error)) result.rejected++;
      else result.failures.push(`trace seed ${input.seed} iteration ${i}: ${(error as Error).stack ?? String(error)}`);
    }

    let map: unknown;
    try {
      map = JSON.parse(mutateText(mapText, r));
    } catch {
      map = mutateText(mapText, r);
    }
    result.mapRuns++;
    try {
      const mapper = new SourceMapper({ memoryMaps: new Map([['/fuzz/a.js', { map, url: '/fuzz/a.js' }]]) });
      mapper.info('/fuzz/a.js');
      mapper.sources('/fuzz/a.js');
      for (const position of [{ line: 1, column: 1 }, { line: 1, column: 1 + Math.floor(r() * 200) }, { line: -5, column: -1 }, { line: 1e9, column: 1e9 }]) {
        mapper.resolve('/fuzz/a.js', position);
      }
    } catch (error) {
      result.failures.push(`map seed ${input.seed} iteration ${i}: ${(error as Error).stack ?? String(error)}`);
    }
    if (result.failures.length >= 5) break;
  }
  return { ...result, ...classes };
}

if (parentPort !== null) parentPort.postMessage(run(workerData as FuzzInput));
