/**
 * Real npm libraries whose optimized code folds allocations: bson's deserialize of 30 000
 * documents and an rxjs pipeline, each in its own function, with the truth measured in the same
 * process (`heapUsed` after minus before, full GC both times). Writes `{ sites, heapUsed }` to
 * the file named by BENCH_TRUTH.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { BSON } from 'bson';
import { bufferCount, filter, from, map, mergeMap, of, toArray } from 'rxjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const documents = Array.from({ length: 30_000 }, (_, i) =>
  BSON.serialize({ _id: i, name: `user${i}`, tags: [`a${i}`, 'b', 'c'], nested: { x: i * 1.5, y: `yy${i}`, when: new Date(i) }, score: i / 7 }),
);

function bsonDeserialize(): unknown[] {
  const out: unknown[] = [];
  for (const d of documents) out.push(BSON.deserialize(d));
  return out;
}

function rxjsPipeline(): unknown {
  let result: unknown;
  from(Array.from({ length: 200_000 }, (_, i) => i))
    .pipe(
      map((i) => ({ id: i, label: `item-${i}`, value: i * 1.5 })),
      filter((o) => o.id % 3 !== 0),
      mergeMap((o) => of({ ...o, extra: [o.id, o.value] })),
      bufferCount(100),
      map((batch) => ({ size: batch.length, items: batch })),
      toArray(),
    )
    .subscribe((r) => {
      result = r;
    });
  return result;
}

const retained: unknown[] = [];
(globalThis as Record<string, unknown>).__retained = retained;
const sites: Array<{ function: string; heapDelta: number }> = [];
for (const build of [bsonDeserialize, rxjsPipeline]) {
  gc();
  const before = process.memoryUsage().heapUsed;
  retained.push(build());
  gc();
  sites.push({ function: build.name, heapDelta: process.memoryUsage().heapUsed - before });
}
gc();
const truthFile = process.env['BENCH_TRUTH'];
if (truthFile !== undefined) fs.writeFileSync(truthFile, JSON.stringify({ sites, heapUsed: process.memoryUsage().heapUsed }));
console.log(`retained ${sites.length} library workloads`);
