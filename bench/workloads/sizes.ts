/**
 * Size distributions V8's products make ambiguous, one function per distribution, with the truth
 * measured in the same process: `heapUsed` after minus before each site (full GC both times).
 * Writes `{ sites: [{ function, heapDelta }] }` to the file named by BENCH_TRUTH. Sizes come from
 * a fixed-seed generator: every run allocates the same objects. SIZES_SCALE (default 1) scales
 * the bytes per site.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const scale = Number(process.env['SIZES_SCALE'] ?? '1');
const MB = 1024 * 1024;

let seed = 20261201;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** Elements of a double array of about `bytes` (16 B header + 8 B per element). */
const elements = (bytes: number): number => Math.max(1, Math.floor((bytes - 16) / 8));

/** The case: 2000 arrays of 1000–2999 doubles (8–24 KB each). */
function arraysMid(): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < 2000 * scale; i++) out.push(new Array<number>(1000 + Math.floor(random() * 2000)).fill(0.5 + i));
  return out;
}

/** 36–42 KB arrays: one product fits one such array or two of half the size. */
function arraysBand(): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < 700 * scale; i++) out.push(new Array<number>(4500 + Math.floor(random() * 700)).fill(0.5 + i));
  return out;
}

function uniformSizes(): number[][] {
  const out: number[][] = [];
  for (let total = 0; total < 24 * MB * scale; ) {
    const bytes = 16 + random() * MB;
    out.push(new Array<number>(elements(bytes)).fill(total + 0.5));
    total += bytes;
  }
  return out;
}

function logUniformSizes(): number[][] {
  const out: number[][] = [];
  for (let total = 0; total < 24 * MB * scale; ) {
    const bytes = Math.exp(Math.log(16) + random() * Math.log(65536));
    out.push(new Array<number>(elements(bytes)).fill(total + 0.5));
    total += bytes;
  }
  return out;
}

/** Strings built piece by piece (cons strings), then flattened by a lookup. */
function concatStrings(): string[] {
  const out: string[] = [];
  for (let total = 0; total < 2 * MB * scale; ) {
    let s = '';
    const pieces = 1 + Math.floor(random() * 400);
    for (let j = 0; j < pieces; j++) s += String.fromCharCode(97 + (j % 26)) + j;
    void s.indexOf('#');
    out.push(s);
    total += s.length;
  }
  return out;
}

/** Slices of a big string, made flat copies of varied lengths. */
function slicedStrings(): string[] {
  const big = Array.from({ length: 1 << 16 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('').repeat(16);
  const out: string[] = [];
  for (let total = 0; total < 16 * MB * scale; ) {
    const at = Math.floor(random() * (big.length - 40000));
    const length = 13 + Math.floor(random() * 30000);
    out.push(big.slice(at, at + length).toUpperCase());
    total += length;
  }
  return out;
}

function maps(): Array<Map<number, number>> {
  const out: Array<Map<number, number>> = [];
  for (let i = 0; i < 3000 * scale; i++) {
    const m = new Map<number, number>();
    const n = Math.floor(random() * 600);
    for (let j = 0; j < n; j++) m.set(j, j);
    out.push(m);
  }
  return out;
}

function sets(): Array<Set<string>> {
  const out: Array<Set<string>> = [];
  for (let i = 0; i < 3000 * scale; i++) {
    const s = new Set<string>();
    const n = Math.floor(random() * 600);
    for (let j = 0; j < n; j++) s.add(`k${j}`);
    out.push(s);
  }
  return out;
}

const retained: unknown[] = [];
(globalThis as Record<string, unknown>).__retained = retained;
const sites: Array<{ function: string; heapDelta: number }> = [];
const only = process.env['SIZES_ONLY']?.split(',');
for (const build of [arraysMid, arraysBand, uniformSizes, logUniformSizes, concatStrings, slicedStrings, maps, sets]) {
  if (only !== undefined && !only.includes(build.name)) continue;
  gc();
  const before = process.memoryUsage().heapUsed;
  retained.push(build());
  gc();
  sites.push({ function: build.name, heapDelta: process.memoryUsage().heapUsed - before });
}
const truthFile = process.env['BENCH_TRUTH'];
if (truthFile !== undefined) fs.writeFileSync(truthFile, JSON.stringify({ sites }));
console.log(`retained ${sites.length} size distributions`);
