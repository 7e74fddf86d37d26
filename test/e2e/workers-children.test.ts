/**
 * Worker threads and child processes, traced for real: each isolate's planted leak must show up,
 * kept apart by thread and process, however the worker ends.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { buildFixture, lineOf, scratchDir } from '../helpers/fixtures';
import { reportOf, rowOf } from '../helpers/report';

// Planted: main thread ~12 MB (mainLeak), worker ~24 MB (workerLeak), each child ~20 MB.
const inRange = (size: number, planted: number): boolean => size > planted * 0.7 && size < planted * 1.35;

describe('worker threads', () => {
  for (const mode of ['worker-end', 'worker-terminate', 'worker-main-exit'] as const) {
    it(`${mode}: the worker's allocations are traced and labelled with its thread`, async () => {
      const fixture = buildFixture('processes', 'tsc-cjs');
      const saved = path.join(scratchDir(), `${mode}.trace`);
      const result = await runAlloctrace(['--json', '--top', '5', '-o', saved, fixture.entry, mode], { cwd: fixture.dir });
      assert.equal(result.code, mode === 'worker-main-exit' ? 3 : 0, result.stderr);
      const report = reportOf(result.stderr);
      const worker = rowOf(report, 'workerLeak');
      assert.equal(worker.file, 'src/worker.ts');
      assert.equal(worker.line, lineOf(fixture, 'src/worker.ts', 'export function workerLeak('));
      assert.ok(inRange(worker.size, 24e6), `worker ${worker.size}`);
      assert.ok(inRange(rowOf(report, 'mainLeak').size, 12e6));
      assert.equal(report.measure.traces, 2);
      // The worker's id is the one Node gave it: alloctrace's observer thread takes one id first (docs/cli.md).
      const id = report.isolates?.find((i) => i.name === 'hasher')?.thread;
      assert.ok(id !== undefined && id >= 1, JSON.stringify(report.isolates));
      assert.deepEqual(report.isolates?.map((i) => [i.thread, i.name]), [[id, 'hasher'], [0, 'main']]);
      assert.ok(report.notes.some((n) => new RegExp(`^ {2}pid \\d+ worker ${id} \\(hasher\\): est\\.`).test(n)), report.notes.join('\n'));

      // Per thread on request, from the saved trace: by name, by id, and the main thread.
      const byName = await runAlloctrace(['show', '--json', '--thread', 'hasher', saved]);
      assert.equal(byName.code, 0, byName.stderr);
      const workerOnly = JSON.parse(byName.stdout) as ReturnType<typeof reportOf>;
      assert.equal(workerOnly.stats[0]?.function, 'workerLeak');
      assert.ok(!workerOnly.stats.some((s) => s.function === 'mainLeak'));
      const main = JSON.parse((await runAlloctrace(['show', '--json', '--thread', 'main', saved])).stdout) as ReturnType<typeof reportOf>;
      assert.equal(main.stats[0]?.function, 'mainLeak');
      assert.ok(!main.stats.some((s) => s.function === 'workerLeak'));
      const missing = await runAlloctrace(['show', '--thread', '9', saved]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, new RegExp(`^alloctrace: no thread 9 in the trace \\(it holds: pid \\d+ main; pid \\d+ worker ${id} \\(hasher\\)\\)\n$`));
    });
  }

  it('a worker parked in Atomics.wait (as pools park idle workers) is still traced when terminated', async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    const result = await runAlloctrace(['--json', fixture.entry, 'worker-blocked'], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^terminated$/m);
    const report = reportOf(result.stderr);
    assert.ok(inRange(rowOf(report, 'workerLeak').size, 24e6));
    assert.ok(inRange(rowOf(report, 'mainLeak').size, 12e6));
  });
});

describe('child processes (--children)', () => {
  it('fork, spawn with its own env, exec through a shell: one trace per process, merged, --pid picks one', async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    const out = fs.mkdtempSync(path.join(scratchDir(), 'children-'));
    const result = await runAlloctrace(['--children', '--json', '-o', out, fixture.entry, 'children'], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    const pids = [...result.stdout.matchAll(/^child (fork|spawn|exec) (\d+)$/gm)].map((m) => Number(m[2]));
    assert.equal(pids.length, 3, result.stdout);
    const files = fs.readdirSync(out).sort();
    // The program, its 3 children; the shell of exec is not node. Named by pid: no collision.
    for (const pid of pids) assert.ok(files.includes(`${pid}.trace`), `${pid}.trace not in ${files.join(' ')}`);
    assert.equal(files.length, 4, files.join(' '));
    const report = reportOf(result.stderr);
    const child = rowOf(report, 'childLeak');
    assert.ok(inRange(child.size, 3 * 20e6), `children ${child.size}`);
    assert.ok(inRange(rowOf(report, 'mainLeak').size, 12e6));

    const shown = await runAlloctrace(['show', '--json', out]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(inRange(rowOf(JSON.parse(shown.stdout) as ReturnType<typeof reportOf>, 'childLeak').size, 3 * 20e6));
    const one = await runAlloctrace(['show', '--json', '--pid', String(pids[1]), out]);
    const oneReport = JSON.parse(one.stdout) as ReturnType<typeof reportOf>;
    assert.equal(oneReport.stats[0]?.function, 'childLeak');
    assert.ok(inRange(oneReport.stats[0]?.size ?? 0, 20e6));
    assert.ok(!oneReport.stats.some((s) => s.function === 'mainLeak'));
  });

  it('npm run: the command is not node, every Node process under it is traced', async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    const pkg = path.join(fixture.dir, 'package.json');
    fs.writeFileSync(pkg, JSON.stringify({ ...JSON.parse(fs.readFileSync(pkg, 'utf8')), scripts: { leak: 'node dist/child.js npm' } }));
    const result = await runAlloctrace(['--children', '--json', 'npm', 'run', '--silent', 'leak'], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^child npm \d+$/m);
    const report = reportOf(result.stderr);
    assert.ok(inRange(rowOf(report, 'childLeak').size, 20e6));
    assert.ok(report.measure.traces >= 2, 'npm and the script are both traced');
  });

  it('a test runner that forks (node --test): the test file\'s process is traced', async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    // Not seen as nested in our own test run (node --test would then skip its files).
    const env = { NODE_TEST_CONTEXT: undefined };
    const result = await runAlloctrace(['--children', '--json', process.execPath, '--test', 'dist/child.js'], { cwd: fixture.dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(inRange(rowOf(reportOf(result.stderr), 'childLeak').size, 20e6));
  });

  it('--pid that matches nothing after a run: one line, the program\'s exit code kept', async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    const result = await runAlloctrace(['--pid', '1', fixture.entry, 'exit'], { cwd: fixture.dir });
    assert.equal(result.code, 7);
    assert.match(result.stderr, /^alloctrace: no pid 1 in the trace \(it holds: pid \d+ main\)\n$/);
  });

  it('without --children a command is refused in one line', async () => {
    const result = await runAlloctrace(['npm', 'run', 'leak']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'alloctrace: npm is a command, not a script file; use --children to trace the Node processes it starts\n');
  });
});
