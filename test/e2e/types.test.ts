/**
 * Memory by type (`run --types`, `--census`, `--group-by type`), end to end: a fixture plants
 * arrays, strings, a Map, class instances and Buffers, one kind per function, built by tsc and
 * esbuild. Each planted site's kind mix, heapy's table ranking, exact object counts, sizes against
 * the bytes the program measured itself holding, and the Buffers' backing stores (outside the V8
 * heap) at their allocating TypeScript line.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { PROGRAM_NODE } from '../helpers/nodes';
import { buildFixture, lineOf, scratchDir, type BuildVariant } from '../helpers/fixtures';
import type { JsonStatistic, JsonStatisticsReport } from '../../src/report/json';
import type { KindChange, KindRow } from '../../src/analyze/kinds';

const BUFFER_BYTES = 40 * 64 * 1024;
const EXTERNAL_BUFFER = /^(Buffer|Uint8Array) \(external\)$/;

function byFunction(report: JsonStatisticsReport, fn: string): JsonStatistic {
  const row = report.stats.find((s) => s.function === fn);
  assert.ok(row !== undefined, `no row for ${fn}: ${report.stats.map((s) => s.function).join(', ')}`);
  return row;
}

function mainKind(row: JsonStatistic): { kind: string; share: number; count: number; size: number } {
  const first = row.kinds?.[0];
  assert.ok(first !== undefined, `${row.function} has no kinds`);
  return first;
}

describe('memory by type', () => {
  // A minified bundle too: its classes are named `t` in the code, `Order` in the report.
  const variants: BuildVariant[] = ['tsc-cjs', 'esbuild-esm-minified'];
  for (const variant of variants) {
    it(`${variant}: each planted site's kind mix, heapy's ranking, Buffers' backing stores at their line`, async () => {
      const fixture = buildFixture('types', variant);
      const trace = path.join(scratchDir(), `types-${variant}.trace`);
      const truthFile = path.join(scratchDir(), `types-${variant}.truth.json`);
      const run = await runAlloctrace(['--types', '--json', '--top', '0', '--group-by', 'function', '--user-code', '-o', trace, '--force', fixture.entry], { cwd: fixture.dir, env: { TYPES_TRUTH: truthFile } });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /planted 30000 orders/);
      const report = JSON.parse(run.stderr) as JsonStatisticsReport;
      assert.equal(report.measure.objects, 'tracked');

      const expected: Array<[string, RegExp]> = [
        ['makeArrays', /^Array$/],
        ['makeStrings', /^string$/],
        ['makeMap', /^Map$/],
        ['makeOrders', /^Order$/],
        ['makeBuffers', EXTERNAL_BUFFER],
      ];
      for (const [fn, kind] of expected) {
        const row = byFunction(report, fn);
        assert.equal(row.file, 'src/plant.ts', fn);
        const top = mainKind(row);
        assert.match(top.kind, kind, fn);
        // The rest of a row is what the site allocates besides: the array it pushes into.
        assert.ok(top.share > 0.85, `${fn}: ${top.kind} is ${top.share} of its row`);
      }
      // Counts are exact, not estimates: one Order per iteration, one Map, 40 backing stores of 64 KiB.
      assert.equal(mainKind(byFunction(report, 'makeOrders')).count, 30000);
      assert.equal(mainKind(byFunction(report, 'makeMap')).count, 1);
      const buffers = mainKind(byFunction(report, 'makeBuffers'));
      assert.ok(buffers.size >= BUFFER_BYTES && buffers.size < BUFFER_BYTES + 64 * 1024, `Buffer bytes ${buffers.size}`);
      // Truth: the bytes each site really holds, measured in the program (heap after minus before, full GC).
      const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as Record<string, number>;
      for (const fn of ['makeArrays', 'makeStrings', 'makeMap', 'makeOrders']) {
        const size = byFunction(report, fn).size;
        assert.ok(Math.abs(size / truth[fn]! - 1) < 0.05, `${fn}: ${size} bytes reported, ${truth[fn]} held`);
      }
      assert.ok(Math.abs(buffers.size / truth['makeBuffers (external)']! - 1) < 0.05, `Buffers: ${buffers.size} reported, ${truth['makeBuffers (external)']} held`);
      // 6000 arrays of 500 small integers (8 bytes each) and their headers.
      const arrays = mainKind(byFunction(report, 'makeArrays'));
      assert.ok(arrays.size > 6000 * 500 * 8 && arrays.size < 6000 * 500 * 8 * 1.1, `Array bytes ${arrays.size}`);

      // heapy's table, from the saved trace.
      const table = await runAlloctrace(['show', '--group-by', 'type', '--json', '--top', '0', trace], { cwd: fixture.dir });
      assert.equal(table.code, 0, table.stderr);
      const { rows, total } = JSON.parse(table.stdout) as { rows: KindRow[]; total: { count: number; size: number; external: number } };
      // Planted: arrays ~24 MB, strings ~10 MB, the Map ~7 MB, Orders ~4.5 MB; Node's own heap is a few MB of each.
      assert.deepEqual(rows.slice(0, 4).map((r) => r.kind), ['Array', 'string', 'Map', 'Order']);
      assert.equal(rows.find((r) => r.kind === 'Order')?.count, 30000);
      const external = rows.find((r) => EXTERNAL_BUFFER.test(r.kind));
      assert.ok(external !== undefined && external.external && external.size >= BUFFER_BYTES, JSON.stringify(external));
      assert.ok(Math.abs(rows[rows.length - 1]!.cumulative - total.size) < 1, 'the cumulative column ends at the total');
      assert.ok(total.external >= BUFFER_BYTES);

      // By line: the Buffers' backing stores at the TypeScript line that allocated them.
      const lines = await runAlloctrace(['show', '--json', '--top', '0', '--user-code', trace], { cwd: fixture.dir });
      assert.equal(lines.code, 0, lines.stderr);
      const byLine = JSON.parse(lines.stdout) as JsonStatisticsReport;
      const store = byLine.stats.find((s) => s.kinds !== undefined && EXTERNAL_BUFFER.test(s.kinds[0]?.kind ?? ''));
      assert.ok(store !== undefined, 'no row of Buffer backing stores');
      assert.equal(store.file, 'src/plant.ts');
      assert.equal(store.line, lineOf(fixture, 'src/plant.ts', '// PLANT Buffer'));
      assert.equal(store.precision, 'exact');
      // The Map and its hash table: one row at the line that made it.
      const map = byLine.stats.find((s) => s.kinds?.[0]?.kind === 'Map' && s.file === 'src/plant.ts');
      assert.equal(map?.line, lineOf(fixture, 'src/plant.ts', '// PLANT Map'));

      // Filters work as everywhere: Node's own objects (code, its modules' closures) go with --include.
      const filtered = await runAlloctrace(['show', '--group-by', 'type', '--json', '--top', '0', '--user-code', '--include', 'src/plant.ts', trace], { cwd: fixture.dir });
      assert.equal(filtered.code, 0, filtered.stderr);
      const kept = JSON.parse(filtered.stdout) as { rows: KindRow[]; total: { count: number; size: number } };
      assert.deepEqual(kept.rows.slice(0, 5).map((r) => r.kind.replace(EXTERNAL_BUFFER, 'Buffer (external)')), ['Array', 'string', 'Map', 'Order', 'Buffer (external)']);
      assert.ok(kept.total.size < total.size && kept.total.count < total.count, `${kept.total.size} of ${total.size}`);
      assert.ok(!kept.rows.some((r) => r.kind === '(code)' && r.size > 100 * 1024), 'Node internals filtered out');
    });
  }

  it('census: kinds without stacks, the default report is the table; compare by type shows which kind grew', async () => {
    const fixture = buildFixture('types', 'tsc-cjs');
    const older = path.join(scratchDir(), 'census-a.trace');
    const newer = path.join(scratchDir(), 'census-b.trace');
    const a = await runAlloctrace(['--census', '-o', older, '--force', fixture.entry, '30000'], { cwd: fixture.dir });
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stderr, /^Partition of a set of \d+ objects\. Total size = [\d.]+ MiB \(live objects at exit; heap snapshot census, no stacks;/m);
    assert.match(a.stderr, /^\s+0\s+\d+\s+[\d.]+%\s+[\d.]+ MiB\s+[\d.]+%\s+[\d.]+ MiB\s+[\d.]+%\s+Array$/m);
    const b = await runAlloctrace(['--census', '-o', newer, '--force', fixture.entry, '60000'], { cwd: fixture.dir });
    assert.equal(b.code, 0, b.stderr);
    const diff = await runAlloctrace(['compare', '--group-by', 'type', '--json', older, newer], { cwd: fixture.dir });
    assert.equal(diff.code, 0, diff.stderr);
    const rows = (JSON.parse(diff.stdout) as { rows: KindChange[] }).rows;
    const order = rows[0]!;
    assert.equal(order.kind, 'Order');
    assert.equal(order.countDiff, 30000);
    // Every Order object has the same size: 30000 more of them.
    assert.equal(order.sizeDiff, (order.older.size / order.older.count) * 30000);
    // By site (a census has one: no stacks), each row says which kinds made its change; exact, so no noise.
    const bySite = await runAlloctrace(['compare', '--json', older, newer], { cwd: fixture.dir });
    assert.equal(bySite.code, 0, bySite.stderr);
    const site = (JSON.parse(bySite.stdout) as { stats: Array<{ function: string; significant: boolean; noise: number; kinds?: Array<{ kind: string; size: number; sizeDiff: number; countDiff: number; external: boolean }> }> }).stats[0]!;
    assert.equal(site.function, '(untracked)');
    assert.equal(site.noise, 0);
    assert.equal(site.significant, true);
    assert.deepEqual(site.kinds?.[0], { kind: 'Order', size: order.newer.size, sizeDiff: order.sizeDiff, countDiff: 30000, external: false });
    const text = await runAlloctrace(['compare', '--group-by', 'type', older, newer], { cwd: fixture.dir });
    assert.match(text.stdout, /^\s+[\d.]+ (KiB|MiB)\s+\+[\d.]+ (KiB|MiB)\s+60000\s+\+30000\s+Order$/m);
  });

  it('show reads a .heapsnapshot written by someone else (node --track-heap-objects, v8.writeHeapSnapshot)', async () => {
    const fixture = buildFixture('types', 'tsc-cjs');
    const snapshot = path.join(scratchDir(), 'plain.heapsnapshot');
    const hook = path.join(scratchDir(), 'write-snapshot.cjs');
    fs.writeFileSync(hook, `process.on('exit', () => require('node:v8').writeHeapSnapshot(${JSON.stringify(snapshot)}));\n`);
    const ran = spawnSync(PROGRAM_NODE, ['--track-heap-objects', `--require=${hook}`, fixture.entry], { cwd: fixture.dir, encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    const shown = await runAlloctrace(['show', '--json', '--top', '0', '--group-by', 'function', '--user-code', snapshot], { cwd: fixture.dir });
    assert.equal(shown.code, 0, shown.stderr);
    const report = JSON.parse(shown.stdout) as JsonStatisticsReport;
    assert.equal(report.measure.objects, 'tracked');
    const orders = byFunction(report, 'makeOrders');
    assert.equal(orders.file, 'src/plant.ts');
    assert.equal(mainKind(orders).kind, 'Order');
    assert.equal(mainKind(orders).count, 30000);
    const bad = await runAlloctrace(['show', hook.replace(/\.cjs$/, '.heapsnapshot')], { cwd: fixture.dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^alloctrace: cannot read write-snapshot\.heapsnapshot|^alloctrace: cannot read .*write-snapshot\.heapsnapshot: no such file/);
  });

  it('--group-by type on a run without --types or --census is one line and exit 2', async () => {
    const fixture = buildFixture('types', 'tsc-cjs');
    const run = await runAlloctrace(['--group-by', 'type', fixture.entry], { cwd: fixture.dir });
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /--group-by type needs --types or --census/);
  });
});
