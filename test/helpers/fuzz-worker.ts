/**
 * The fuzz loop, run in a worker thread so the test can stop it: a hang is a failure, not a
 * stuck test run. Mutates a real trace (sampled here, by V8) and a real source map (esbuild's),
 * feeds them to every reader and analyzer, and reports any throw that is not an AlloctraceError.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildStatisticsReport } from '../../src/analyze/report';
import { GROUP_BYS } from '../../src/analyze/statistics';
import { SamplingEngine } from '../../src/capture/engine';
import { isAlloctraceError } from '../../src/errors';
import { renderStatisticsJson } from '../../src/report/json';
import { renderStatisticsText } from '../../src/report/text';
import { SourceMapper } from '../../src/symbolize/mapper';
import { symbolizeTrace } from '../../src/symbolize/symbolize';
import { mergeTraces, selectIsolates } from '../../src/trace/merge';
import { parseTrace } from '../../src/trace/read';
import { traceFromV8Profile } from '../../src/trace/v8-profile';
import { isolateNotes } from '../../src/cli/present';
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

const VALUES: Array<(r: () => number) => unknown> = [
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

function mutateText(text: string, r: () => number): string {
  const op = r();
  const at = Math.floor(r() * text.length);
  if (op < 0.2) return text.slice(0, at);
  if (op < 0.4) return text.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + text.slice(at + 1);
  if (op < 0.5) return text.slice(0, at) + text.slice(at, at + 50) + text.slice(at);
  return JSON.stringify(mutateValue(JSON.parse(text) as unknown, r));
}

function exercise(trace: ReturnType<typeof parseTrace>): void {
  for (const groupBy of GROUP_BYS) {
    for (const userCode of [false, true]) {
      const report = buildStatisticsReport(trace, { groupBy, userCode, top: 5 });
      renderStatisticsText(report);
      renderStatisticsJson(report);
    }
  }
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
  const result: FuzzResult = { traceRuns: 0, mapRuns: 0, accepted: 0, rejected: 0, failures: [] };
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
  return result;
}

if (parentPort !== null) parentPort.postMessage(run(workerData as FuzzInput));
