/**
 * The main job end to end: real tsc/esbuild builds of a fixture with a large planted allocation,
 * run under the real CLI; the top row must be the original TypeScript function that allocated.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { ALL_VARIANTS, buildFixture, lineOf } from '../helpers/fixtures';
import type { JsonStatisticsReport } from '../../src/report/json';

describe('alloctrace run on every build variant', () => {
  for (const variant of ALL_VARIANTS) {
    it(`${variant}: the planted leak's TypeScript function is the top row`, async () => {
      const fixture = buildFixture('leaky', variant);
      const result = await runAlloctrace(['--json', '--top', '5', fixture.entry], { cwd: fixture.dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /cached 300 entries, 2000 log lines/);
      const report = JSON.parse(result.stderr) as JsonStatisticsReport;
      const top = report.stats[0];
      assert.ok(top !== undefined, 'no rows');
      assert.equal(top.file, 'src/cache.ts');
      assert.equal(top.line, lineOf(fixture, 'src/cache.ts', 'export function fillCache('));
      // fillCache allocates on two lines (the arrays, the entries): "one of these", never a guess.
      assert.equal(top.precision, 'candidates');
      assert.deepEqual(top.candidates, [lineOf(fixture, 'src/cache.ts', 'new Array<number>'), lineOf(fixture, 'src/cache.ts', 'cache.set(')]);
      assert.equal(top.function, 'fillCache');
      // 300 arrays of 10 000 numbers: 24 MB planted. Sampling at 32 KiB gives ~730 samples here:
      // the estimate is well inside ±25 %.
      assert.ok(top.size > 18e6 && top.size < 30e6, `size ${top.size}`);
      // The caller is main.ts's top level, at the calling line (in a bundle too).
      const caller = top.traceback[1];
      assert.equal(caller?.function, '(top level)');
      assert.equal(caller?.file, 'src/main.ts');
      assert.equal(caller?.line, lineOf(fixture, 'src/main.ts', 'fillCache(300'));
      assert.equal(caller?.precision, 'exact');
    });
  }

  it('text report: tracemalloc line format, precision stated', async () => {
    const fixture = buildFixture('leaky', 'tsc-cjs');
    const result = await runAlloctrace(['--top', '3', fixture.entry], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    const line = lineOf(fixture, 'src/cache.ts', 'export function fillCache(');
    assert.match(result.stderr, /^Top 3 lines \(live memory at exit; sampled every 32 KiB; \d+ samples, est\. [\d.]+ MiB\)$/m);
    const candidates = `${lineOf(fixture, 'src/cache.ts', 'new Array<number>')}\\|${lineOf(fixture, 'src/cache.ts', 'cache.set(')}`;
    assert.match(result.stderr, new RegExp(`^src/cache\\.ts:${line} \\(in fillCache, lines ${candidates}\\): size=[\\d.]+ MiB, count=~[\\d.]+(?: [KM])?, average=[\\d.]+ (?:B|KiB|MiB)$`, 'm'));
    assert.match(result.stderr, /Note: "\(in f, lines A\|B\)": the allocation is on one of those lines/);
  });
});
