// `--mode peak` workload: builds <mb> MB in arrays, frees them, keeps 5 MB. Writes the V8 heap in
// use right before the free (the truth the captured peak is compared with) to <truth file>.
import * as fs from 'node:fs';
import * as v8 from 'node:v8';

function buildBig(mb: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < mb * 10; i++) rows.push(new Array<number>(12_500).fill(i));
  return rows;
}

let big: number[][] | null = buildBig(Number(process.argv[2] ?? 60));
const truth = v8.getHeapStatistics().used_heap_size;
console.log('built', big.length);
big = null;
(globalThis as Record<string, unknown>)['kept'] = buildBig(5);
const out = process.argv[3];
if (out !== undefined) fs.writeFileSync(out, JSON.stringify({ truth }));
