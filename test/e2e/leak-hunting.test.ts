/**
 * Leak hunting end to end: a server-like TypeScript fixture that leaks one session per request
 * (and keeps a bounded cache that fills, then stays level) is snapshotted while it runs, by
 * period and by signal, and the real CLI's `compare` must point at the leaking original line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace, withProgramNode } from '../helpers/cli';
import { buildFixture, CLI, lineOf, scratchDir, type BuiltFixture } from '../helpers/fixtures';
import type { JsonCompareReport, JsonSeriesReport, JsonStatisticDiff } from '../../src/report/diff-json';
import type { JsonStatisticsReport } from '../../src/report/json';
import type { TraceFile } from '../../src/trace/format';

/** Lines of `recordSession` in the fixture: the leak's row must fall inside (function or exact line). */
function leakLines(fixture: BuiltFixture): [number, number] {
  const first = lineOf(fixture, 'src/server.ts', 'function recordSession(');
  return [first, first + 4];
}

function isLeakRow(row: Pick<JsonStatisticDiff, 'file' | 'line'> | undefined, fixture: BuiltFixture): boolean {
  const [from, to] = leakLines(fixture);
  return row?.file === 'src/server.ts' && row.line !== null && row.line >= from && row.line <= to;
}

function snapshotFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^snapshot-\d{4}\.trace$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function readTrace(file: string): TraceFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TraceFile;
}

function freshDir(name: string): string {
  const dir = path.join(scratchDir(), name);
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

async function compareJson<T>(files: string[], cwd: string): Promise<T> {
  const result = await runAlloctrace(['compare', '--json', '--top', '20', ...files], { cwd });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

/**
 * Runs `alloctrace run … main.js --stdin`, driving the fixture line by line: each step writes a
 * command, waits for the fixture's answer, then may signal alloctrace (which forwards it).
 */
function driveStdin(
  args: string[],
  cwd: string,
  steps: Array<{ send: string; expect: RegExp; then?: (pid: number) => Promise<void> }>,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...withProgramNode(args)], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let step = 0;
    let waiting = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const advance = (): void => {
      const current = steps[step];
      if (current === undefined) {
        child.stdin.end();
        return;
      }
      waiting = true;
      child.stdin.write(`${current.send}\n`);
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const current = steps[step];
      if (!waiting || current === undefined || !current.expect.test(stdout)) return;
      waiting = false;
      step += 1;
      void (current.then?.(child.pid!) ?? Promise.resolve()).then(advance, reject);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // The preload is in place once node runs the script: the first answer proves it.
    advance();
  });
}

async function waitForFiles(dir: string, n: number): Promise<void> {
  for (let i = 0; i < 300 && snapshotFiles(dir).length < n; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(snapshotFiles(dir).length >= n, `expected ${n} snapshot(s) in ${dir}`);
}

describe('leak hunting', () => {
  const intervalDir = freshDir('by-interval');
  const signalDir = freshDir('by-signal');

  it('--snapshot-every: numbered traces while running; a series flags the leak at every step, not the level cache', async () => {
    const fixture = buildFixture('leakserver', 'tsc-cjs');
    // Inlining off: on Node 24+ the leak would move to main.ts's `serve` partway through the run.
    const env = { LEAKSERVER_NO_INLINING: '1' };
    const result = await runAlloctrace(['run', '--snapshot-dir', intervalDir, '--snapshot-every', '150ms', '--top', '3', fixture.entry, '400'], { cwd: fixture.dir, env });
    // The period timer is unref'd: the program ends on its own (else this would time out).
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /done: 400 sessions/);
    const files = snapshotFiles(intervalDir);
    assert.ok(files.length >= 4, `only ${files.length} snapshots`);
    const reasons = files.map((f) => readTrace(f).meta.reason);
    assert.deepEqual(reasons, [...reasons.slice(0, -1).map(() => 'interval'), 'exit']);
    assert.deepEqual(files.map((f) => readTrace(f).meta.sequence), files.map((_, i) => i + 1));
    assert.match(result.stderr, new RegExp(`alloctrace: ${files.length} snapshot\\(s\\): `));

    const diff = await compareJson<JsonCompareReport>([files[0]!, files[files.length - 1]!], fixture.dir);
    const top = diff.stats[0];
    assert.ok(isLeakRow(top, fixture), `top row: ${JSON.stringify(top)}`);
    // 400 sessions of 8000-number arrays (~64 KB each): at least a few MB more at the end.
    assert.ok(top!.sizeDiff > 5e6, `sizeDiff ${top!.sizeDiff}`);
    assert.ok(top!.countDiff > 0 && top!.status === 'changed');

    // Filters apply to both traces: the server's file and Node internals are gone from both.
    const filtered = await runAlloctrace(['compare', '--json', '--exclude', 'src/server.ts', '--hide-internals', files[0]!, files[files.length - 1]!], { cwd: fixture.dir });
    const rest = (JSON.parse(filtered.stdout) as JsonCompareReport).stats;
    assert.ok(rest.length > 0 && rest.every((s) => s.file !== 'src/server.ts' && s.origin !== 'node'), JSON.stringify(rest.map((s) => s.file)));
    // The cache plateaued: its difference is near zero, so it need not rank first among the rest.
    assert.ok(rest.some((s) => s.file === 'src/cache.ts'), JSON.stringify(rest.map((s) => s.file)));

    // The series of periodic snapshots: 150 ms of requests between any two. (The exit trace can
    // follow the last one within a request or two: it would be a fair interval without growth.)
    const periodic = files.slice(0, -1);
    const series = await compareJson<JsonSeriesReport>(periodic, fixture.dir);
    assert.equal(series.traces.length, periodic.length);
    const suspect = series.suspects[0];
    assert.ok(isLeakRow(suspect, fixture), `suspects: ${JSON.stringify(series.suspects.map((s) => [s.file, s.line]))}`);
    assert.equal(suspect!.grewIn, periodic.length - 1, `leak grew in ${suspect!.grewIn} of ${periodic.length - 1}`);
    assert.ok(!series.suspects.some((s) => s.file === 'src/cache.ts'), 'the level cache was flagged');
    const cache = series.stats.find((s) => s.file === 'src/cache.ts');
    // Full (40 entries, 2.5 MB) from its first 40 requests on: a loaded machine can start the
    // program's requests after the first snapshot or two, never later.
    assert.ok(cache !== undefined && cache.sizes.slice(2).every((size) => size > 1e6), `the cache is present in every snapshot: ${JSON.stringify(cache?.sizes)}`);

    const text = await runAlloctrace(['compare', ...periodic], { cwd: fixture.dir });
    assert.match(text.stdout, /^Suspected leaks: 1 line grew in /m);
    // Counts are estimates printed as 700, 1.6 K…; averages may print in B.
    assert.match(text.stdout, /^src\/server\.ts:\d+ \(in recordSession(?:, lines [\d|]+)?\): size=[\d.]+ MiB \(\+[\d.]+ MiB\), count=~[\d.]+(?: K)? \(~\+[\d.]+(?: K)?\), average=[\d.]+ (?:B|KiB), grew in (\d+) of \1 intervals$/m);
  });

  it('SIGUSR2 (forwarded by alloctrace): a snapshot on demand, the program keeps running; two builds line up', async () => {
    const fixture = buildFixture('leakserver', 'esbuild-cjs-bundle');
    const result = await driveStdin(['run', '--snapshot-dir', signalDir, fixture.entry, '--stdin'], fixture.dir, [
      { send: 'serve 40', expect: /served 40\n/, then: async (pid) => { process.kill(pid, 'SIGUSR2'); await waitForFiles(signalDir, 1); } },
      { send: 'serve 160', expect: /served 200\n/, then: async (pid) => { process.kill(pid, 'SIGUSR2'); await waitForFiles(signalDir, 2); } },
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /done: 200 sessions/);
    const files = snapshotFiles(signalDir);
    assert.deepEqual(files.map((f) => readTrace(f).meta.reason), ['signal', 'signal', 'exit']);
    // Resolved after the run, so the files stand alone.
    assert.ok(readTrace(files[0]!).scripts.every((s) => s.map !== 'unresolved'));

    const diff = await compareJson<JsonCompareReport>([files[0]!, files[1]!], fixture.dir);
    assert.ok(isLeakRow(diff.stats[0], fixture), JSON.stringify(diff.stats[0]));
    assert.ok(diff.stats[0]!.sizeDiff > 3e6);

    // A bundle's trace against tsc's: keys are original locations, so the leak is one row. (At
    // exit the bundle holds nothing: once its last function is gone, so is its module scope.)
    const tscFinal = snapshotFiles(intervalDir).at(-1);
    if (tscFinal !== undefined) {
      const cross = await compareJson<JsonCompareReport>([files[1]!, tscFinal], fixture.dir);
      const leak = cross.stats.find((s) => isLeakRow(s, fixture));
      assert.ok(leak !== undefined && leak.status === 'changed', JSON.stringify(cross.stats.slice(0, 3)));
    }
  });

  it('without snapshots, or with --snapshot-signal none, SIGUSR2 still ends the program as it would', async () => {
    const fixture = buildFixture('leakserver', 'tsc-cjs');
    const dir = freshDir('no-signal');
    for (const extra of [[], ['--snapshot-dir', dir, '--snapshot-every', '1m', '--snapshot-signal', 'none']]) {
      const result = await driveStdin(['run', ...extra, fixture.entry, '--stdin'], fixture.dir, [
        { send: 'serve 1', expect: /served 1\n/, then: async (pid) => { process.kill(pid, 'SIGUSR2'); await new Promise((r) => setTimeout(r, 5000).unref()); } },
      ]);
      assert.equal(result.signal, 'SIGUSR2', `${extra.join(' ')}: ${result.code} ${result.stderr}`);
      assert.doesNotMatch(result.stdout, /done/);
    }
    assert.deepEqual(snapshotFiles(dir), []);
  });

  it('an out-of-memory kill leaves whole snapshots, the last one showing the leak', async () => {
    const fixture = buildFixture('leakserver', 'tsc-cjs');
    const dir = freshDir('oom');
    const result = await runAlloctrace(['run', '--snapshot-dir', dir, '--snapshot-every', '100ms', fixture.entry, '0'], {
      cwd: fixture.dir,
      // Reaches the traced program (and alloctrace, which needs far less). Inlining off: on Node
      // 24+ the leak would move to main.ts's `serve` partway through the run.
      env: { NODE_OPTIONS: '--max-old-space-size=40', LEAKSERVER_NO_INLINING: '1' },
    });
    assert.equal(result.signal ?? `exit ${result.code}`, 'SIGABRT', result.stderr.slice(-500));
    // The final trace is the one taken as the heap neared its limit.
    assert.match(result.stderr, /live memory near the heap limit/);
    const files = snapshotFiles(dir);
    assert.ok(files.length >= 2, `only ${files.length} snapshots`);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    const last = await runAlloctrace(['show', '--json', files[files.length - 1]!], { cwd: fixture.dir });
    assert.equal(last.code, 0, last.stderr);
    const report = JSON.parse(last.stdout) as JsonStatisticsReport;
    assert.ok(isLeakRow(report.stats[0], fixture), JSON.stringify(report.stats[0]));
    // The heap limit is 40 MB: the last snapshot holds at least several MB of sessions.
    assert.ok(report.stats[0]!.size > 8e6, `size ${report.stats[0]!.size}`);
  });

  it('compare: corrupt, truncated, empty, foreign or missing files are one-line errors naming the file', async () => {
    const dir = freshDir('bad-files');
    fs.mkdirSync(dir);
    const good = path.join(dir, 'good.trace');
    const valid = snapshotFiles(intervalDir)[0];
    fs.writeFileSync(good, valid === undefined ? '{}' : fs.readFileSync(valid));
    const text = fs.readFileSync(good, 'utf8');
    const cases: Record<string, string> = {
      'empty.trace': '',
      'truncated.trace': text.slice(0, Math.floor(text.length / 2)),
      'foreign.trace': '{"name":"package","version":"1.0.0"}',
      'binary.trace': '\u0000\u0001PNG',
      'corrupt.trace': text.replace('"stacks":{"frame":[', '"stacks":{"frame":[99999,'),
    };
    for (const [name, content] of Object.entries(cases)) fs.writeFileSync(path.join(dir, name), content);
    for (const name of [...Object.keys(cases), 'missing.trace']) {
      const result = await runAlloctrace(['compare', good, path.join(dir, name)], { cwd: dir });
      assert.equal(result.code, 2, `${name}: ${result.stderr}`);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${name}: ${result.stderr}`);
      assert.match(lines[0]!, new RegExp(`^alloctrace: .*${name.replace('.', '\\.')}`));
      assert.equal(result.stdout, '');
    }
    const one = await runAlloctrace(['compare', good], { cwd: dir });
    assert.equal(one.code, 2);
    assert.match(one.stderr, /^alloctrace: compare needs two traces/);
  });
});
