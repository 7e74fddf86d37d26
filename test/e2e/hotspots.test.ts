/**
 * Planted hotspots on real builds (tsc CommonJS and ESM, esbuild bundle and minified bundle):
 * an exact line is never a wrong one. By default, rows whose line the code cannot prove stay at
 * a function's start or among candidates (and the report says how to pin them); with
 * `--exact-lines` every hotspot lands on its own line, also where a minifier folded an array
 * literal into `join` or a single-use timer handle into `setTimeout(...).unref()`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { ALL_VARIANTS, buildFixture } from '../helpers/fixtures';
import { HOTSPOTS, scoreHotspots } from '../helpers/hotspots';
import type { JsonStatisticsReport } from '../../src/report/json';

const OUTPUT = /kept 20800, 400 pages, 300 texts, 20000 timers, 600 cells/;

describe('planted hotspots: exact lines are right lines', () => {
  for (const variant of ALL_VARIANTS) {
    it(`${variant}: no wrong exact line by default; every hotspot exact with --exact-lines`, async () => {
      const fixture = buildFixture('hotspots', variant);
      const plain = await runAlloctrace(['--json', '--top', '0', '--user-code', fixture.entry], { cwd: fixture.dir });
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(plain.stdout, OUTPUT);
      const byDefault = scoreHotspots(JSON.parse(plain.stderr) as JsonStatisticsReport, fixture);
      assert.deepEqual(byDefault.wrong, [], 'default: exact rows where nothing was planted');
      // Three top-level statements and a function allocating on two lines: not provable statically.
      for (const name of ['top-arrays', 'top-strings', 'top-objects', 'two-first', 'two-second']) assert.ok(byDefault.missed.includes(name), `${name} claimed exact by default`);

      const exact = await runAlloctrace(['--json', '--top', '0', '--user-code', '--exact-lines', fixture.entry], { cwd: fixture.dir });
      assert.equal(exact.code, 0, exact.stderr);
      assert.match(exact.stdout, OUTPUT);
      const withExact = scoreHotspots(JSON.parse(exact.stderr) as JsonStatisticsReport, fixture);
      assert.deepEqual(withExact.wrong, [], '--exact-lines: exact rows where nothing was planted');
      assert.deepEqual(withExact.missed, [], `--exact-lines missed ${withExact.missed.join(', ')}`);
      assert.equal(withExact.exact.length, HOTSPOTS.length);
    });
  }

  it('the text report says how to pin lines when most bytes have none, and not with --exact-lines', async () => {
    const fixture = buildFixture('hotspots', 'tsc-cjs');
    const plain = await runAlloctrace(['--user-code', fixture.entry], { cwd: fixture.dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /^Note: \d+ % of the bytes are on lines the code alone cannot prove .*`alloctrace run --exact-lines` pins each allocation to its line \(\+34 … \+314 % CPU/m);
    const exact = await runAlloctrace(['--user-code', '--exact-lines', fixture.entry], { cwd: fixture.dir });
    assert.equal(exact.code, 0, exact.stderr);
    assert.doesNotMatch(exact.stderr, /--exact-lines` pins/);
  });
});
