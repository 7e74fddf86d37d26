/**
 * A `.ts` entry run without a build: through tsx (found in the project, as a user installs it),
 * the code V8 runs is transpiled in memory and no map exists on disk. The in-memory map is
 * taken from the traced process, so rows still land on the original TypeScript lines.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { FIXTURES, REPO_ROOT, lineOf, scratchDir } from '../helpers/fixtures';
import { PROGRAM_NODE, programNode } from '../helpers/nodes';
import { reportOf, rowOf } from '../helpers/report';
import type { TraceFile } from '../../src/trace/format';

/** A project with only TypeScript sources, tsx and esbuild installed (linked from ours). */
function tsProject(type: 'commonjs' | 'module'): string {
  const dir = path.join(scratchDir(), `tsx-app-${type}`);
  if (fs.existsSync(dir)) return dir;
  fs.cpSync(path.join(FIXTURES, 'tsx-app'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'tsx-app', private: true, type }));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const dep of ['tsx', 'esbuild']) fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep));
  return dir;
}

describe('TypeScript entry through tsx (in-memory source maps)', () => {
  for (const type of ['commonjs', 'module'] as const) {
    it(`${type}: the row is the original .ts line, resolved through the map captured in memory`, async () => {
      const dir = tsProject(type);
      const saved = path.join(dir, `run-${type}.trace`);
      const result = await runAlloctrace(['--json', '-o', saved, 'src/main.ts'], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^stored 300 \(1000\)$/m);
      const row = rowOf(reportOf(result.stderr), 'fillStore');
      assert.equal(row.file, 'src/main.ts');
      // The code tsx ran is copied out of the process too: the exact allocating line, not the function's start.
      assert.equal(row.line, lineOf({ dir }, 'src/main.ts', 'store.set(i, {'));
      assert.equal(row.precision, 'exact', JSON.stringify(row));
      assert.ok(row.generated !== undefined && row.generated.line !== row.line, 'resolved from generated code whose lines differ');
      assert.ok(row.size > 16e6 && row.size < 32e6, `size ${row.size}`);
      const trace = JSON.parse(fs.readFileSync(saved, 'utf8')) as TraceFile;
      const script = trace.scripts.find((s) => s.path === 'src/main.ts');
      assert.equal(script?.map, 'memory');
      assert.equal(script?.code, 'parsed', 'the code V8 ran, from the trace, not the .ts file');
      assert.ok(!fs.existsSync(path.join(dir, 'src', 'main.ts.map')));
    });
  }

  it('--no-source-maps: the exact line stays (the code tsx ran is in the trace), at its generated position', async () => {
    const dir = tsProject('commonjs');
    const saved = path.join(dir, 'run-no-maps.trace');
    const result = await runAlloctrace(['--json', '--no-source-maps', '-o', saved, 'src/main.ts'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const trace = JSON.parse(fs.readFileSync(saved, 'utf8')) as TraceFile;
    const ran = trace.scripts.find((s) => s.path === 'src/main.ts')?.memoryCode;
    assert.ok(ran !== undefined, 'the code V8 ran is kept');
    // tsx minifies whitespace: the function and its allocation share a generated line.
    const generated = ran.split('\n').findIndex((l) => l.includes('function fillStore(')) + 1;
    assert.ok(generated > 0);
    for (const report of [reportOf(result.stderr), reportOf((await runAlloctrace(['show', '--json', '--no-source-maps', saved], { cwd: dir })).stdout)]) {
      const row = rowOf(report, 'fillStore');
      assert.equal(row.file, 'src/main.ts');
      assert.equal(row.precision, 'exact', JSON.stringify(row));
      assert.equal(row.line, generated, JSON.stringify(row));
    }
  });

  it('--loader with a require hook that keeps its map to itself: the map is read from the loaded source', async () => {
    const dir = tsProject('commonjs');
    const saved = path.join(dir, 'run-register.trace');
    // loader/register.cjs transpiles with esbuild and appends an inline map; Node keeps no copy.
    const result = await runAlloctrace(['--json', '-o', saved, '--loader', './loader/register.cjs', 'src/main.ts'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const row = rowOf(reportOf(result.stderr), 'fillStore');
    assert.equal(row.file, 'src/main.ts');
    assert.equal(row.line, lineOf({ dir }, 'src/main.ts', 'store.set(i, {'));
    assert.equal(row.precision, 'exact', JSON.stringify(row));
    assert.notEqual(row.generated?.line, row.line);
    const trace = JSON.parse(fs.readFileSync(saved, 'utf8')) as TraceFile;
    assert.equal(trace.scripts.find((s) => s.path === 'src/main.ts')?.map, 'memory');
  });

  it('without tsx in the project (and a node that cannot strip types): one line naming the fix', async () => {
    const dir = path.join(scratchDir(), 'ts-no-loader');
    fs.cpSync(path.join(FIXTURES, 'tsx-app'), dir, { recursive: true });
    const result = await runAlloctrace(['src/main.ts'], { cwd: dir });
    // The Node that runs the program decides (the matrix runs it on another line than ours).
    const { major, minor } = programNode();
    if (major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)) {
      // Node runs the file itself (no loader needed). This fixture's enum is beyond strip-only
      // mode: Node's own verdict passes through, as plain node gives it.
      const plain = spawnSync(PROGRAM_NODE, ['src/main.ts'], { cwd: dir, encoding: 'utf8' });
      assert.equal(result.code, plain.status, result.stderr);
      assert.equal(result.stdout, plain.stdout);
      return;
    }
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^alloctrace: cannot run main\.ts: node v[\d.]+ needs a TypeScript loader; install tsx .* or name one with --loader <module>\n$/);
  });
});
