/**
 * Real source lines, end to end: one function allocates through four callees on four lines
 * (builtins `slice` and `from`, a user function, a user class), another calls one builtin from
 * two lines. On every build (tsc, esbuild, minified) each callee lands on its own exact
 * TypeScript line, the two-line caller is `candidates` (never a guess), and tracebacks read like
 * a stack trace: each frame at its calling line, down to main.ts's top level.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { ALL_VARIANTS, buildFixture, lineOf, scratchDir, type BuiltFixture } from '../helpers/fixtures';
import type { JsonLocation, JsonStatistic, JsonStatisticsReport } from '../../src/report/json';

function row(report: JsonStatisticsReport, fn: string, via: string | null): JsonStatistic {
  const found = report.stats.find((s) => s.function === fn && s.via === via);
  assert.ok(found !== undefined, `no row for ${fn} via ${via}: ${report.stats.map((s) => `${s.function}/${s.via}`).join(', ')}`);
  return found;
}

function assertAt(location: JsonLocation, fixture: BuiltFixture, file: string, marker: string): void {
  assert.equal(location.file, file, `${location.function}`);
  assert.equal(location.line, lineOf(fixture, file, marker), `${location.function} at ${marker}`);
  assert.equal(location.precision, 'exact', `${location.function} at ${marker}`);
}

describe('exact allocating and calling lines', () => {
  for (const variant of ALL_VARIANTS) {
    it(`${variant}: each callee on its own line, a two-line call as candidates, tracebacks at call lines`, async () => {
      const fixture = buildFixture('lines', variant);
      const trace = path.join(scratchDir(), `lines-${variant}.trace`);
      const run = await runAlloctrace(['--json', '--top', '0', '-o', trace, '--force', fixture.entry], { cwd: fixture.dir });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /built 160 rows, 60 pairs/);
      const report = JSON.parse(run.stderr) as JsonStatisticsReport;

      // 40 objects of ~200 KB each per line: ~8 MB, sampled nearly every time at 32 KiB.
      const planted: Array<[string, string | null, string]> = [
        ['build', 'slice', '// CALL slice'],
        ['build', 'from', '// CALL from'],
        ['makeRow', null, '// ALLOC makeRow'],
        ['Holder', null, '// ALLOC Holder'],
      ];
      for (const [fn, via, marker] of planted) {
        const r = row(report, fn, via);
        assertAt(r, fixture, 'src/build.ts', marker);
        assert.ok(r.size > 5e6 && r.size < 11e6, `${fn} via ${via}: size ${r.size}`);
      }

      const twice = row(report, 'twice', 'slice');
      assert.equal(twice.precision, 'candidates');
      assert.equal(twice.file, 'src/twice.ts');
      assert.equal(twice.line, lineOf(fixture, 'src/twice.ts', 'export function twice('));
      assert.deepEqual(twice.candidates, [lineOf(fixture, 'src/twice.ts', '// CALL slice 1'), lineOf(fixture, 'src/twice.ts', '// CALL slice 2')]);
      assert.ok(twice.size > 8e6 && twice.size < 16e6, `twice: size ${twice.size}`);

      // The saved trace carries the lines: `show` needs neither the build nor the sources.
      const moved = `${fixture.dir}-away`;
      fs.renameSync(fixture.dir, moved);
      let shown;
      try {
        shown = await runAlloctrace(['show', '--json', '--group-by', 'traceback', '--top', '0', trace]);
      } finally {
        fs.renameSync(moved, fixture.dir);
      }
      assert.equal(shown.code, 0, shown.stderr);
      const tracebacks = JSON.parse(shown.stdout) as JsonStatisticsReport;
      for (const [fn, marker] of [['makeRow', '// CALL makeRow'], ['Holder', '// CALL Holder']] as const) {
        const [own, caller, top] = row(tracebacks, fn, null).traceback;
        assertAt(own!, fixture, 'src/build.ts', `// ALLOC ${fn}`);
        assertAt(caller!, fixture, 'src/build.ts', marker);
        assert.equal(caller!.function, 'build');
        assertAt(top!, fixture, 'src/main.ts', '// CALL build');
        assert.equal(top!.function, '(top level)');
      }
    });
  }

  for (const variant of ALL_VARIANTS) {
    it(`${variant}: --exact-lines names the allocating line of a function that allocates on two`, async () => {
      const fixture = buildFixture('leaky', variant);
      const result = await runAlloctrace(['--exact-lines', '--json', '--top', '5', fixture.entry], { cwd: fixture.dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /cached 300 entries, 2000 log lines/);
      const report = JSON.parse(result.stderr) as JsonStatisticsReport;
      // Without it, fillCache is "lines 11|12"; the 24 MB of arrays are on the first.
      const top = report.stats[0]!;
      assert.equal(top.function, 'fillCache');
      assertAt(top, fixture, 'src/cache.ts', 'new Array<number>');
      assert.ok(top.size > 18e6 && top.size < 30e6, `size ${top.size}`);
      const [own, caller] = top.traceback;
      assertAt(own!, fixture, 'src/cache.ts', 'new Array<number>');
      assertAt(caller!, fixture, 'src/main.ts', 'fillCache(300');
      assert.ok(report.stats.every((s) => s.precision !== 'candidates' || s.function !== 'fillCache'), 'fillCache left as candidates');
    });
  }

  it('text report: exact lines, candidates and call lines as a reader sees them', async () => {
    const fixture = buildFixture('lines', 'tsc-cjs');
    const result = await runAlloctrace(['--group-by', 'traceback', '--top', '0', fixture.entry], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    const at = (file: string, marker: string): string => `src/${file}.ts:${lineOf(fixture, `src/${file}.ts`, marker)}`;
    const twiceStart = lineOf(fixture, 'src/twice.ts', 'export function twice(');
    const lines = `lines ${lineOf(fixture, 'src/twice.ts', '// CALL slice 1')}\\|${lineOf(fixture, 'src/twice.ts', '// CALL slice 2')}`;
    assert.match(result.stderr, new RegExp(`^src/twice\\.ts:${twiceStart} \\(in twice, ${lines}, via slice\\): size=`, 'm'));
    // Exact lines read `file:N (f)`; `(in f)` is kept for a function's start.
    assert.match(result.stderr, new RegExp(`^${at('build', '// ALLOC makeRow')} \\(makeRow\\): size=.*\\n {4}${at('build', '// ALLOC makeRow')} \\(makeRow\\)\\n {4}${at('build', '// CALL makeRow')} \\(build\\)\\n {4}${at('main', '// CALL build')} \\(top level\\)$`, 'm'));
    assert.match(result.stderr, /Note: "\(in f, lines A\|B\)": the allocation is on one of those lines/);
  });
});
