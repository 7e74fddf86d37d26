/**
 * Leak verdicts on a real framework under real traffic: an Express 4 app (built by tsc, with
 * source maps) with one planted per-request leak, driven over 127.0.0.1 in bursts with idle
 * pauses between, snapshotted by period. The series must flag the leak (whichever of its frames
 * V8 charges as it inlines), and not the bounded cache or the per-request garbage.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace, withProgramNode } from '../helpers/cli';
import { buildFixture, CLI, lineOf, REPO_ROOT, scratchDir, type BuiltFixture } from '../helpers/fixtures';
import type { JsonCompareReport, JsonSeriesReport, JsonSeriesSite } from '../../src/report/diff-json';

const agent = new http.Agent({ keepAlive: false, maxSockets: 8 });

function getOnce(port: number, route: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: route, agent }, (res) => {
        res.resume();
        res.once('end', resolve);
      })
      .once('error', reject);
  });
}

/** A client as a browser is: a connection reset by an overloaded server is tried once more. */
async function get(port: number, route: string): Promise<void> {
  try {
    await getOnce(port, route);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
    await getOnce(port, route);
  }
}

async function burst(port: number, requests: number, offset: number): Promise<void> {
  const queue = Array.from({ length: requests }, (_, i) => `/item/${offset + i}`);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let route = queue.shift(); route !== undefined; route = queue.shift()) await get(port, route);
    }),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function snapshotFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^snapshot-\d+\.trace$/.test(f)).sort().map((f) => path.join(dir, f));
}

/**
 * Runs the app under `alloctrace run --snapshot-every`, drives `bursts` bursts, then /quit.
 * `served`: the snapshots taken before /quit (the app lets go of everything as it stops).
 */
function driveApp(fixture: BuiltFixture, dir: string, bursts: number): Promise<{ code: number | null; stdout: string; stderr: string; served: string[] }> {
  return new Promise((resolve, reject) => {
    const args = withProgramNode(['run', '--snapshot-dir', dir, '--snapshot-every', '250ms', fixture.entry]);
    const child = spawn(process.execPath, [CLI, ...args], { cwd: fixture.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    let served: string[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const port = /listening (\d+)/.exec(stdout)?.[1];
      if (started || port === undefined) return;
      started = true;
      void (async () => {
        await sleep(600);
        for (let b = 0; b < bursts; b++) {
          await burst(Number(port), 200, b * 200);
          // Idle: several snapshot periods without a request.
          await sleep(1000);
        }
        served = snapshotFiles(dir);
        await get(Number(port), '/quit');
      })().catch(reject);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, served });
    });
  });
}

function within(row: { file: string | null; line: number | null }, fixture: BuiltFixture, from: string, lines: number): boolean {
  const first = lineOf(fixture, 'src/app.ts', from);
  return row.file === 'src/app.ts' && row.line !== null && row.line >= first && row.line <= first + lines;
}

describe('leak verdicts on an Express app under bursty traffic', () => {
  it('the per-request leak is suspected (stepwise), the bounded cache and the garbage are not', async () => {
    const fixture = buildFixture('express-audit', 'tsc-cjs');
    fs.rmSync(path.join(fixture.dir, 'node_modules'), { force: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(fixture.dir, 'node_modules'));
    const dir = path.join(scratchDir(), 'express-snapshots');
    fs.rmSync(dir, { recursive: true, force: true });
    const run = await driveApp(fixture, dir, 5);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /listening \d+/);
    const files = run.served;
    assert.ok(files.length >= 20, `only ${files.length} snapshots`);

    const result = await runAlloctrace(['compare', '--json', '--top', '30', ...files], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    const series = JSON.parse(result.stdout) as JsonSeriesReport;
    const steps = series.traces.length - 1;
    // The traffic came in 5 bursts: the leak cannot grow in (nearly) every interval.
    const leakRow = (s: JsonSeriesSite): boolean => within(s, fixture, 'export function recordAudit', 3) || within(s, fixture, 'app.use((req', 3);
    const found = [...series.suspects, ...series.functionSuspects.flatMap((f) => [f, ...f.parts])];
    assert.ok(found.some(leakRow), `no suspect at the leak: ${JSON.stringify(found.map((s) => [s.file, s.line, s.function, s.grewIn, s.verdict]))}`);
    const top = series.suspects[0] ?? series.functionSuspects[0];
    assert.ok(top !== undefined && (leakRow(top) || series.functionSuspects.some((f) => f.parts.some(leakRow))), JSON.stringify(top));
    assert.ok(top.grewIn < steps - Math.floor(steps / 5), `grew in ${top.grewIn} of ${steps}: the traffic was not bursty`);
    // Neither the bounded cache nor the per-request responses.
    const flagged = series.suspects.filter((s) => within(s, fixture, 'function cached(', 8) || within(s, fixture, "app.get('/item/:id'", 3));
    assert.deepEqual(flagged, []);

    // The text says why.
    const text = await runAlloctrace(['compare', ...files], { cwd: fixture.dir });
    assert.match(text.stdout, /^Suspected leaks(?: by function)?: /m);
    assert.match(text.stdout, /without giving memory back/);
  });

  it('a leak that inlining moves to its caller mid-run is still found, with the rows it is made of', async () => {
    // Inlining left on: from Node 24 on, Maglev inlines the handler into the hot `serve` loop
    // partway through, and the leak's later bytes are charged to `serve` (node-lines.test.ts).
    const fixture = buildFixture('leakserver', 'tsc-cjs');
    const dir = path.join(scratchDir(), 'inlined-snapshots');
    fs.rmSync(dir, { recursive: true, force: true });
    const run = await runAlloctrace(['run', '--snapshot-dir', dir, '--snapshot-every', '150ms', fixture.entry, '500'], { cwd: fixture.dir });
    assert.equal(run.code, 0, run.stderr);
    const files = snapshotFiles(dir).slice(0, -1);
    assert.ok(files.length >= 5, `only ${files.length} snapshots`);
    const result = await runAlloctrace(['compare', '--json', ...files], { cwd: fixture.dir });
    const series = JSON.parse(result.stdout) as JsonSeriesReport;
    const record = lineOf(fixture, 'src/server.ts', 'function recordSession(');
    const serve = lineOf(fixture, 'src/main.ts', 'function serve(');
    const isLeak = (s: JsonSeriesSite): boolean =>
      (s.file === 'src/server.ts' && s.line !== null && s.line >= record && s.line <= record + 4) ||
      (s.file === 'src/main.ts' && s.line !== null && s.line >= serve && s.line <= serve + 3);
    // Either one row holds the whole leak, or the function that holds both rows is suspected,
    // and its parts name recordSession.
    const rowLeak = series.suspects.find(isLeak);
    const fnLeak = series.functionSuspects.find((f) => f.parts.some((p) => p.file === 'src/server.ts' && p.function === 'recordSession'));
    assert.ok(rowLeak !== undefined || fnLeak !== undefined, JSON.stringify({ suspects: series.suspects.map((s) => [s.file, s.line, s.verdict]), fns: series.functionSuspects.map((f) => [f.file, f.function, f.parts.map((p) => p.function)]) }));
    // Nothing outside the program's own code is suspected.
    assert.deepEqual(series.suspects.filter((s) => s.origin !== 'user').map((s) => [s.file, s.line]), []);
    assert.deepEqual(series.functionSuspects.filter((s) => s.origin !== 'user').map((s) => [s.file, s.line]), []);
  });

  it('two traces of one program: differences within the sampling noise are marked, in text and JSON', async () => {
    const fixture = buildFixture('leakserver', 'tsc-cjs');
    const traces = [1, 2].map((i) => path.join(scratchDir(), `twin-${i}.trace`));
    for (const trace of traces) {
      const run = await runAlloctrace(['run', '-o', trace, fixture.entry, '150'], { cwd: fixture.dir, env: { LEAKSERVER_NO_INLINING: '1' } });
      assert.equal(run.code, 0, run.stderr);
    }
    const json = await runAlloctrace(['compare', '--json', '--top', '50', ...traces], { cwd: fixture.dir });
    const diff = JSON.parse(json.stdout) as JsonCompareReport;
    // Same program, same work: no row is beyond the noise, except by chance (5 % per row at 2σ).
    const significant = diff.stats.filter((s) => s.significant);
    assert.ok(significant.length <= Math.max(2, Math.ceil(diff.stats.length * 0.2)), JSON.stringify(significant.map((s) => [s.file, s.line, s.sizeDiff, s.noise])));
    assert.ok(diff.stats.every((s) => s.significant === Math.abs(s.sizeDiff) > 2 * s.noise));
    const text = await runAlloctrace(['compare', ...traces], { cwd: fixture.dir });
    if (diff.stats.some((s) => !s.significant && s.sizeDiff !== 0)) {
      assert.match(text.stdout, /, within noise \(±[\d.]+ [KM]?i?B\)$/m);
      assert.match(text.stdout, /^Note: "within noise"/m);
    }
  });
});
