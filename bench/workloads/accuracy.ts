/**
 * Retains a known number of bytes at known functions, and writes the truth (and heap deltas
 * measured around each site) to the file named by BENCH_TRUTH. Object sizes are V8's on 64-bit
 * without pointer compression (Node's official builds): JSArray 32 B, FixedArray/FixedDoubleArray
 * 16 B + 8 B per element, a 3-field object literal 48 B, a flat one-byte string 16 B + length.
 * Counts are objects as the program sees them: an array with its backing store is one (V8
 * allocates the two together and samples them as one allocation).
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export interface SiteTruth {
  function: string;
  /** Bytes retained in the V8 heap by objects allocated in this function. */
  bytes: number;
  /** Number of those objects. */
  count: number;
  /** `heapUsed` after minus before the site ran (full GC both times). */
  heapDelta: number;
  /** Bytes retained outside the V8 heap (Buffer contents). */
  external?: number;
  /** `arrayBuffers` after minus before (Buffer contents). */
  arrayBuffersDelta?: number;
}

const retained: unknown[] = [];
(globalThis as Record<string, unknown>).__retained = retained;

function retainSmiArrays(arrays: number, length: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < arrays; i++) out.push(new Array<number>(length).fill(i & 0xff));
  return out;
}

function retainDoubleArrays(arrays: number, length: number): number[][] {
  const out: number[][] = [];
  // fill(0.5) turns the elements into doubles: the SMI backing store is dropped, a double one kept.
  for (let i = 0; i < arrays; i++) out.push(new Array<number>(length).fill(0.5 + i));
  return out;
}

function makeSlots(count: number): unknown[] {
  return new Array<unknown>(count).fill(null);
}

function retainObjects(slots: unknown[]): void {
  for (let i = 0; i < slots.length; i++) slots[i] = { id: i, score: 0, next: null };
}

function letterBuffers(length: number): Buffer[] {
  return Array.from({ length: 26 }, (_, i) => Buffer.alloc(length, 97 + i));
}

function retainStrings(letters: Buffer[], strings: number): string[] {
  const out: string[] = [];
  // A latin1 decode below 1 MB makes one flat on-heap string ('x'.repeat and join of holes make
  // cons-string trees sharing their pieces, whose size is not what they print).
  for (let i = 0; i < strings; i++) out.push(letters[i % 26]!.toString('latin1'));
  return out;
}

function retainSmallSite(arrays: number, length: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < arrays; i++) out.push(new Array<number>(length).fill(7));
  return out;
}

function retainBuffers(buffers: number, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buffers; i++) out.push(Buffer.alloc(size, i & 0xff));
  return out;
}

const pad8 = (n: number): number => Math.ceil(n / 8) * 8;
const ARRAY = 32;
const fixedArray = (length: number): number => 16 + 8 * length;

function measured<T>(run: () => T): { value: T; heapDelta: number; arrayBuffersDelta: number } {
  gc();
  const before = process.memoryUsage();
  const value = run();
  retained.push(value);
  gc();
  const after = process.memoryUsage();
  return { value, heapDelta: after.heapUsed - before.heapUsed, arrayBuffersDelta: after.arrayBuffers - before.arrayBuffers };
}

gc();
const start = process.memoryUsage();
const sites: SiteTruth[] = [];
// The container arrays holding each site's objects (out.push) are charged to the site too:
// their final backing store is counted below as part of the truth (push grows by 1.5× + 16).
const pushCapacity = (n: number): number => {
  let capacity = 0;
  while (capacity < n) capacity = capacity + (capacity >> 1) + 16;
  return capacity;
};
const container = (n: number): { bytes: number; count: number } => ({ bytes: ARRAY + fixedArray(pushCapacity(n)), count: 1 });

{
  const [n, len] = [512, 4000];
  const m = measured(() => retainSmiArrays(n, len));
  const c = container(n);
  sites.push({ function: 'retainSmiArrays', bytes: n * (ARRAY + fixedArray(len)) + c.bytes, count: n + c.count, heapDelta: m.heapDelta });
}
{
  const [n, len] = [1024, 2000];
  const m = measured(() => retainDoubleArrays(n, len));
  const c = container(n);
  sites.push({ function: 'retainDoubleArrays', bytes: n * (ARRAY + fixedArray(len)) + c.bytes, count: n + c.count, heapDelta: m.heapDelta });
}
{
  const n = 400_000;
  const slots = measured(() => makeSlots(n));
  sites.push({ function: 'makeSlots', bytes: ARRAY + fixedArray(n), count: 1, heapDelta: slots.heapDelta });
  const m = measured(() => retainObjects(slots.value));
  sites.push({ function: 'retainObjects', bytes: n * 48, count: n, heapDelta: m.heapDelta });
}
{
  const [n, len] = [2048, 8184];
  const letters = letterBuffers(len);
  const m = measured(() => retainStrings(letters, n));
  const c = container(n);
  sites.push({ function: 'retainStrings', bytes: n * pad8(16 + len) + c.bytes, count: n + c.count, heapDelta: m.heapDelta });
}
{
  const [n, len] = [64, 2000];
  const m = measured(() => retainSmallSite(n, len));
  const c = container(n);
  sites.push({ function: 'retainSmallSite', bytes: n * (ARRAY + fixedArray(len)) + c.bytes, count: n + c.count, heapDelta: m.heapDelta });
}
{
  const [n, size] = [512, 64 * 1024];
  const m = measured(() => retainBuffers(n, size));
  // On the heap only the small JS wrappers remain; their exact size is not asserted (bytes: 0).
  sites.push({ function: 'retainBuffers', bytes: 0, count: 0, heapDelta: m.heapDelta, external: n * size, arrayBuffersDelta: m.arrayBuffersDelta });
}
gc();
const end = process.memoryUsage();
const truthFile = process.env['BENCH_TRUTH'];
if (truthFile !== undefined) {
  fs.writeFileSync(truthFile, JSON.stringify({ sites, heapUsedDelta: end.heapUsed - start.heapUsed, arrayBuffersDelta: end.arrayBuffers - start.arrayBuffers }));
}
console.log(`retained ${sites.length} sites`);
