/**
 * 3. Source-map throughput on one large map (an esbuild bundle of many modules): lookups per
 * second through alloctrace's SourceMapper, through @jridgewell/trace-mapping directly (our
 * wrapper's cost), and through Mozilla's `source-map` (WASM) doing the same lookups. Cold = a
 * fresh object per round (read, parse, decode, then the lookups); warm = the same lookups again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { GREATEST_LOWER_BOUND, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { SourceMapConsumer, type RawSourceMap } from 'source-map';
import { SourceMapper } from '../src/symbolize/mapper';
import { formatSummary, pairedRatios, summarize, type Summary } from './stats';
import { type Row } from './report';
import { rng, writeBundle } from './synth-code';

export interface SourceMapOptions {
  quick: boolean;
  scratch: string;
  cache: string;
  log: (line: string) => void;
}

type Library = 'alloctrace SourceMapper' | 'trace-mapping (direct)' | 'source-map 0.8 (WASM)';
const LIBRARIES: Library[] = ['alloctrace SourceMapper', 'trace-mapping (direct)', 'source-map 0.8 (WASM)'];

export interface SourceMapResult {
  map: { bytes: number; mappingsBytes: number; sources: number; lookups: number };
  /** Per library and round: time to the first answer (ms), cold and warm lookups per second. */
  runs: Record<Library, { firstMs: number[]; coldPerSec: number[]; warmPerSec: number[] }>;
  /** Lookups where source-map and our mapper agree on source, line and column. */
  agreement: number;
  summary: Record<Library, { firstMs: Summary; coldPerSec: Summary; warmPerSec: Summary }>;
  rows: Row[];
}

interface Lookup {
  line: number; // 1-based
  column: number; // 0-based (trace-mapping, source-map)
}

type Answer = string | null;

/** One pass over `lookups` with `resolve`; returns the answers and elapsed milliseconds. */
function pass(lookups: readonly Lookup[], resolve: (l: Lookup) => Answer): { answers: Answer[]; ms: number } {
  const answers: Answer[] = new Array<Answer>(lookups.length);
  const started = performance.now();
  for (let i = 0; i < lookups.length; i++) answers[i] = resolve(lookups[i]!);
  return { answers, ms: performance.now() - started };
}

export async function benchSourceMaps(options: SourceMapOptions): Promise<SourceMapResult> {
  const { quick, log } = options;
  const modules = quick ? 100 : 400;
  const root = path.join(options.cache, `bundle-v1-${modules}`);
  const marker = path.join(root, 'bundle.json');
  let bundle: ReturnType<typeof writeBundle>;
  if (fs.existsSync(marker)) {
    bundle = JSON.parse(fs.readFileSync(marker, 'utf8')) as ReturnType<typeof writeBundle>;
  } else {
    fs.rmSync(root, { recursive: true, force: true });
    bundle = writeBundle(root, modules, 50);
    fs.writeFileSync(marker, JSON.stringify(bundle));
  }
  const mapText = fs.readFileSync(bundle.map, 'utf8');
  const raw = JSON.parse(mapText) as RawSourceMap & { mappings: string };
  // Function starts (what the symbolizer looks up) in a shuffled order, several times over.
  const random = rng(7);
  const starts = bundle.functions.map((f) => ({ line: f.line + 1, column: f.column }));
  const lookups: Lookup[] = [];
  const total = quick ? 50_000 : 200_000;
  while (lookups.length < total) lookups.push(starts[Math.floor(random() * starts.length)]!);
  const result: SourceMapResult = {
    map: { bytes: mapText.length, mappingsBytes: raw.mappings.length, sources: raw.sources.length, lookups: lookups.length },
    runs: Object.fromEntries(LIBRARIES.map((l) => [l, { firstMs: [], coldPerSec: [], warmPerSec: [] }])) as unknown as SourceMapResult['runs'],
    agreement: 0,
    summary: {} as SourceMapResult['summary'],
    rows: [],
  };
  log(`  source maps: ${(mapText.length / 2 ** 20).toFixed(1)} MiB map (${(raw.mappings.length / 2 ** 20).toFixed(1)} MiB mappings, ${raw.sources.length} sources), ${lookups.length} lookups`);

  const url = bundle.file;
  const answerOf = (source: string | null, line: number | null, column: number | null): Answer => (source === null ? null : `${path.basename(source)}:${line}:${column}`);
  const rounds = quick ? 2 : 5;
  let ours: Answer[] = [];
  let theirs: Answer[] = [];
  for (let round = -1; round < rounds; round++) {
    const order = round < 0 ? LIBRARIES : LIBRARIES.map((_, k) => LIBRARIES[(k + round) % LIBRARIES.length]!);
    for (const library of order) {
      let first = 0;
      let cold: { answers: Answer[]; ms: number };
      let warm: { answers: Answer[]; ms: number };
      if (library === 'alloctrace SourceMapper') {
        const started = performance.now();
        const mapper = new SourceMapper();
        const resolve = (l: Lookup): Answer => {
          const r = mapper.resolve(url, { line: l.line, column: l.column + 1 });
          return r.kind === 'mapped' ? answerOf(r.source, r.line, r.column - 1) : null;
        };
        resolve(lookups[0]!);
        first = performance.now() - started;
        cold = pass(lookups, resolve);
        cold.ms += first;
        warm = pass(lookups, resolve);
        ours = warm.answers;
      } else if (library === 'trace-mapping (direct)') {
        const started = performance.now();
        const map = new TraceMap(fs.readFileSync(bundle.map, 'utf8'), bundle.map);
        const resolve = (l: Lookup): Answer => {
          const r = originalPositionFor(map, { line: l.line, column: l.column, bias: GREATEST_LOWER_BOUND });
          return answerOf(r.source, r.line, r.column);
        };
        resolve(lookups[0]!);
        first = performance.now() - started;
        cold = pass(lookups, resolve);
        cold.ms += first;
        warm = pass(lookups, resolve);
      } else {
        const started = performance.now();
        const json = JSON.parse(fs.readFileSync(bundle.map, 'utf8')) as RawSourceMap;
        const consumer = await new SourceMapConsumer(json, bundle.map);
        const resolve = (l: Lookup): Answer => {
          const r = consumer.originalPositionFor({ line: l.line, column: l.column, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
          return answerOf(r.source, r.line, r.column);
        };
        resolve(lookups[0]!);
        first = performance.now() - started;
        cold = pass(lookups, resolve);
        cold.ms += first;
        warm = pass(lookups, resolve);
        theirs = warm.answers;
        consumer.destroy();
      }
      if (round < 0) continue;
      const runs = result.runs[library];
      runs.firstMs.push(first);
      runs.coldPerSec.push(lookups.length / (cold.ms / 1000));
      runs.warmPerSec.push(lookups.length / (warm.ms / 1000));
    }
  }
  result.agreement = ours.filter((a, i) => a !== null && a === theirs[i]).length / lookups.length;
  for (const library of LIBRARIES) {
    const r = result.runs[library];
    result.summary[library] = { firstMs: summarize(r.firstMs), coldPerSec: summarize(r.coldPerSec), warmPerSec: summarize(r.warmPerSec) };
  }
  result.rows = sourceMapRows(result);
  return result;
}

function perSec(s: Summary): string {
  const k = (v: number): number => v / 1e6;
  return formatSummary({ ...s, median: k(s.median), min: k(s.min), max: k(s.max) }, 2, ' M/s');
}

function sourceMapRows(result: SourceMapResult): Row[] {
  const section = 'source maps';
  const rows: Row[] = [];
  for (const library of LIBRARIES) {
    const s = result.summary[library];
    rows.push({ section, what: `${library}: load + first lookup`, value: formatSummary(s.firstMs, 0, ' ms'), target: '', verdict: 'info' });
    rows.push({ section, what: `${library}: lookups/s cold (incl. load)`, value: perSec(s.coldPerSec), target: '', verdict: 'info' });
    rows.push({ section, what: `${library}: lookups/s warm`, value: perSec(s.warmPerSec), target: '', verdict: 'info' });
  }
  const ours = result.runs['alloctrace SourceMapper'];
  const theirs = result.runs['source-map 0.8 (WASM)'];
  rows.push({ section, what: 'SourceMapper ÷ source-map, warm lookups/s', value: formatSummary(pairedRatios(ours.warmPerSec, theirs.warmPerSec), 2, '×'), target: '', verdict: 'info' });
  rows.push({ section, what: 'SourceMapper ÷ source-map, load + first lookup time', value: formatSummary(pairedRatios(ours.firstMs, theirs.firstMs), 2, '×'), target: '', verdict: 'info' });
  rows.push({ section, what: 'same answer as source-map', value: `${(result.agreement * 100).toFixed(2)}% of lookups`, target: '100%', verdict: result.agreement > 0.999 ? 'met' : 'missed' });
  return rows;
}
