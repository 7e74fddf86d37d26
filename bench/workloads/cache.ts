// A retained cache: a Map that grows to ~60 MB of live entries while older ones are evicted.
import { scaleArg } from './scale.js';

interface Entry {
  key: string;
  body: string;
  values: number[];
  hits: number;
}

const MAX_ENTRIES = 40_000;
const cache = new Map<string, Entry>();
// Insertion order of live keys, as a ring: evicting through `cache.keys().next()` is slow in V8
// once many entries were deleted from the front.
const order: string[] = new Array<string>(MAX_ENTRIES);
let oldest = 0;

function load(key: string, i: number): Entry {
  const values = new Array<number>(64);
  for (let j = 0; j < 64; j++) values[j] = i + j;
  return { key, body: `payload for ${key}: ${'x'.repeat(200 + (i % 50))}`, values, hits: 0 };
}

function get(key: string, i: number): Entry {
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = load(key, i);
    if (cache.size >= MAX_ENTRIES) {
      cache.delete(order[oldest]!);
      oldest = (oldest + 1) % MAX_ENTRIES;
    }
    order[(oldest + cache.size) % MAX_ENTRIES] = key;
    cache.set(key, entry);
  }
  entry.hits++;
  return entry;
}

const requests = Math.round(400_000 * scaleArg());
let checksum = 0;
for (let i = 0; i < requests; i++) {
  // Mostly new keys, some repeats: the cache fills, then churns.
  const key = `k${i % 3 === 0 ? i % 5000 : i}`;
  checksum += get(key, i).values[i % 64]!;
}
console.log(`cache ${requests} ${cache.size} ${checksum}`);
