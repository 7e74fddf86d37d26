/**
 * Behaviours that differ between Node release lines, run on the Node under test (the machine's,
 * or the matrix's through ALLOCTRACE_TEST_NODE; see scripts/test-matrix.js). Each test asks that
 * Node what it supports and asserts the matching outcome, so every line checks its own branch.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace, type CliResult } from '../helpers/cli';
import { buildFixture, FIXTURES, lineOf, scratchDir } from '../helpers/fixtures';
import { PROGRAM_NODE, programNode } from '../helpers/nodes';
import type { JsonStatistic, JsonStatisticsReport } from '../../src/report/json';
import { needsRetainer } from '../../src/capture/cjs-retain';

/** Copies `test/fixtures/node-lines/<name>` to scratch as `<as>`; `packageType` rewrites package.json. */
function copyProgram(name: string, as: string = name, packageType?: 'module' | null): string {
  const dir = path.join(scratchDir(), `node-lines-${as}`);
  fs.cpSync(path.join(FIXTURES, 'node-lines', name), dir, { recursive: true });
  if (packageType !== undefined) {
    const pkg: Record<string, unknown> = { name: `fixture-${as}`, private: true };
    if (packageType !== null) pkg['type'] = packageType;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  }
  return dir;
}

/** The --json report; Node's own warnings (experimental features, typeless packages) may precede it. */
function jsonReport(result: CliResult): JsonStatisticsReport {
  const start = result.stderr.indexOf('{\n  "schema"');
  assert.ok(start >= 0, `no JSON report in stderr:\n${result.stderr}`);
  return JSON.parse(result.stderr.slice(start)) as JsonStatisticsReport;
}

function topRow(report: JsonStatisticsReport): JsonStatistic {
  const top = report.stats[0];
  assert.ok(top !== undefined, 'no rows');
  return top;
}

/** The row names the one allocating line of its function exactly. */
function assertExactLine(top: JsonStatistic, dir: string, file: string, text: string): void {
  assert.equal(top.precision, 'exact', JSON.stringify(top));
  assert.equal(top.line, lineOf({ dir }, file, text));
}

/** 300 arrays of 10 000 numbers: ~24 MB planted. */
function assertPlanted(top: JsonStatistic): void {
  assert.ok(top.size > 16e6 && top.size < 32e6, `size ${top.size}`);
}

describe(`Node release line: ${programNode().version} runs the traced programs`, () => {
  it('finished CommonJS entry: its top-level code keeps its file (Node 20 collects the script unless kept)', async () => {
    const dir = copyProgram('cjs-top-level');
    const result = await runAlloctrace(['--json', '--top', '3', 'main.js'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const top = topRow(jsonReport(result));
    assert.equal(top.file, 'main.js');
    assert.equal(top.function, '(top level)');
    assert.equal(top.origin, 'user');
    assertPlanted(top);
  });

  it('a finished required module\'s closure-captured variables: freed as plain node frees them where Node keeps scripts itself (22+)', async () => {
    const dir = copyProgram('module-closure');
    const result = await runAlloctrace(['--json', '--top', '0', 'main.js'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const report = jsonReport(result);
    const sizeOf = (fn: string): number => report.stats.filter((s) => s.function === fn).reduce((sum, s) => sum + s.size, 0);
    // `keep` (~8 MB, held through a global) is there on every line, with its file and position.
    const kept = report.stats.find((s) => s.function === 'keep');
    assert.equal(kept?.file, 'lib.js', JSON.stringify(report.stats.slice(0, 3)));
    assert.ok(sizeOf('keep') > 4e6 && sizeOf('keep') < 14e6, `keep: ${sizeOf('keep')}`);
    if (needsRetainer(programNode().version.slice(1))) {
      // Node 20: the retainer shares the module's closure context, so `big` (~24 MB) stays (documented).
      assert.ok(sizeOf('fill') > 12e6, `fill: ${sizeOf('fill')}`);
    } else {
      assert.ok(sizeOf('fill') < 2e6, `fill: ${sizeOf('fill')} (freed without alloctrace)`);
    }
  });

  it('a typeless .js file with ES module syntax runs as plain node runs it (syntax detection)', async () => {
    const dir = copyProgram('detect');
    const plain = spawnSync(PROGRAM_NODE, ['main.js'], { cwd: dir, encoding: 'utf8' });
    const result = await runAlloctrace(['--json', '--top', '3', 'main.js'], { cwd: dir });
    assert.equal(result.code, plain.status, result.stderr);
    assert.equal(result.stdout, plain.stdout);
    if (plain.status !== 0) return; // This Node has no detection: it failed alike without alloctrace.
    const top = topRow(jsonReport(result));
    assert.equal(top.file, 'main.js');
    assert.equal(top.function, 'plantDetected');
    assertExactLine(top, dir, 'main.js', 'held.push(new Array');
    assertPlanted(top);
  });

  for (const packageType of [null, 'module'] as const) {
    const label = packageType === null ? 'no package type (detected)' : '"type": "module"';
    it(`a .ts entry, ${label}: traced at the .ts lines where Node strips types, else one clear error`, async () => {
      const dir = copyProgram('strip-types', `strip-types-${packageType ?? 'none'}`, packageType);
      const result = await runAlloctrace(['--json', '--top', '3', 'src/main.ts'], { cwd: dir, env: { NODE_OPTIONS: '' } });
      if (programNode().typescript === false) {
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stdout, '');
        // No tsx in this project, and this Node does not strip types: one line naming the fix.
        assert.match(result.stderr, new RegExp(`^alloctrace: cannot run main\\.ts: node ${programNode().version.replace(/\./g, '\\.')} needs a TypeScript loader; [^\\n]*\n$`));
        return;
      }
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /typed cache: 300 entries/);
      const top = topRow(jsonReport(result));
      assert.equal(top.file, 'src/cache.ts');
      assert.equal(top.function, 'fillTyped');
      // Stripping keeps positions: V8's own line and column are the .ts file's, without a map.
      const line = lineOf({ dir }, 'src/cache.ts', 'export function fillTyped(');
      const source = fs.readFileSync(path.join(dir, 'src', 'cache.ts'), 'utf8').split('\n')[line - 1] ?? '';
      assert.equal(top.line, line);
      assert.equal(top.column, source.indexOf('(') + 1);
      assert.equal(top.generated, undefined, 'a stripped .ts file has no source map: positions are its own');
      assertPlanted(top);
    });
  }

  it('require(esm): a CommonJS entry requiring an ES module (20.19+, 22.12+)', async (t) => {
    if (!programNode().requireModule) {
      t.skip(`${programNode().version} has no require(esm)`);
      return;
    }
    const dir = copyProgram('require-esm');
    const result = await runAlloctrace(['--json', '--top', '3', 'main.cjs'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'require(esm) ran\n');
    const top = topRow(jsonReport(result));
    assert.equal(top.file, 'lib.mjs');
    assert.equal(top.function, 'plantInEsm');
    assertExactLine(top, dir, 'lib.mjs', 'held.push(new Array');
    assert.equal(top.traceback[1]?.file, 'main.cjs');
    assertPlanted(top);
  });

  it("the program's own synchronous module hooks (module.registerHooks, 22.15+) rewriting a module", async (t) => {
    if (!programNode().registerHooks) {
      t.skip(`${programNode().version} has no module.registerHooks`);
      return;
    }
    const dir = copyProgram('module-hooks');
    const result = await runAlloctrace(['--json', '--top', '3', 'main.js'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'hooked module ran\n');
    const top = topRow(jsonReport(result));
    assert.equal(top.file, 'plant.js');
    assert.equal(top.function, 'plantHooked');
    assertExactLine(top, dir, 'plant.js', 'held.push(new Array');
    assert.equal(top.traceback[1]?.file, 'main.js');
    assertPlanted(top);
  });

  it('--mode allocated: V8 keeps samples of collected objects (flags probed, not assumed)', async () => {
    const dir = copyProgram('churn');
    const [allocated, live] = await Promise.all([
      runAlloctrace(['--json', '--top', '3', '--mode', 'allocated', 'main.js'], { cwd: dir }),
      runAlloctrace(['--json', '--top', '0', '--mode', 'live', 'main.js'], { cwd: dir }),
    ]);
    assert.equal(allocated.code, 0, allocated.stderr);
    const report = jsonReport(allocated);
    assert.equal(report.measure.mode, 'allocated');
    assert.deepEqual(report.notes.filter((n) => /lacks|refused/.test(n)), []);
    const top = topRow(report);
    assert.equal(top.function, 'churn');
    // 600 arrays of 10 000 numbers: ~48 MB allocated, none of it kept.
    assert.ok(top.size > 32e6 && top.size < 64e6, `size ${top.size}`);
    assert.equal(live.code, 0, live.stderr);
    const liveChurn = jsonReport(live).stats.filter((s) => s.function === 'churn').reduce((sum, s) => sum + s.size, 0);
    assert.ok(liveChurn < 2e6, `live churn ${liveChurn}`);
  });

  it('inlining may charge allocations to hot callers (measured: 24 and 26 do), but loses none', async (t) => {
    // 400 requests each keep an 8000-number session array: ~25 MB planted in recordSession.
    const fixture = buildFixture('leakserver', 'tsc-cjs');
    const result = await runAlloctrace(['--json', '--top', '0', fixture.entry, '400'], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    const rows = jsonReport(result).stats;
    const bytesIn = (fn: string): number => rows.filter((s) => s.function === fn).reduce((sum, s) => sum + s.size, 0);
    const own = bytesIn('recordSession');
    const moved = bytesIn('handleRequest') + bytesIn('serve');
    assert.ok(own + moved > 20e6 && own + moved < 34e6, `recordSession ${own}, callers ${moved}`);
    assert.ok(own > 0, 'recordSession has no bytes of its own left');
    t.diagnostic(`${programNode().version}: ${Math.round((moved / (own + moved)) * 100)}% of the leak charged to inlining callers`);
  });

  it("stacks deeper than V8's 128 frames: the report says tracebacks are cut", async () => {
    const dir = copyProgram('deep-stack');
    const result = await runAlloctrace(['--json', '--top', '3', 'main.js'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const report = jsonReport(result);
    const top = topRow(report);
    assert.equal(top.function, 'plantDeep');
    assertExactLine(top, dir, 'main.js', 'held.push(new Array');
    assertPlanted(top);
    // The innermost frames are kept: 127 `descend` frames above plantDeep, the outer ones are gone.
    assert.ok(top.traceback.length <= 128, `traceback of ${top.traceback.length} frames`);
    assert.ok(!top.traceback.some((l) => l.function === '(top level)'), 'the outermost frame should be cut');
    const note = report.notes.find((n) => n.includes("V8's limit of 128 frames"));
    assert.ok(note !== undefined, report.notes.join('\n'));
    const share = Number(/^(\d+)%/.exec(note)?.[1]);
    assert.ok(share >= 80, note);
  });
});
