/**
 * `alloctrace/test` in real test runners: node:test (each file in its own process), vitest (in
 * worker threads) and jest, each from npm, on a suite of known-leaky and known-clean functions
 * built by tsc. A leak fails with its original TypeScript line; clean code, a cache that fills in
 * the warm-ups, lazy initialisation and pooled buffers pass.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { lineOf, REPO_ROOT, type BuiltFixture } from '../helpers/fixtures';
import { runAlloctrace } from '../helpers/cli';
import { PROGRAM_NODE } from '../helpers/nodes';
import { testkitProject } from '../helpers/testkit';
import type { TraceFile } from '../../src/trace/format';

interface Outcome {
  title: string;
  passed: boolean;
  message: string;
}

const fixtureProject = testkitProject;

function run(fixture: BuiltFixture, args: string[]): { status: number | null; out: string } {
  // Without NODE_TEST_CONTEXT: the runner running this file sets it, and an inner `node --test`
  // that sees it runs no files.
  const { NODE_TEST_CONTEXT: _outer, ...env } = process.env;
  const result = spawnSync(PROGRAM_NODE, args, { cwd: fixture.dir, encoding: 'utf8', timeout: 180_000, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
}

/** vitest's and jest's `--json` reports share this shape. */
function fromJsonReport(file: string): Outcome[] {
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }> };
  return report.testResults.flatMap((r) => r.assertionResults.map((a) => ({ title: a.title, passed: a.status === 'passed', message: a.failureMessages.join('\n') })));
}

/** node:test's spec reporter (a file run by node itself, no TTY: TAP on Node 20, spec later), or TAP. */
function fromSpecOrTap(out: string): Outcome[] {
  if (/^(not )?ok \d+ - /m.test(out)) return fromTap(out);
  const outcomes: Outcome[] = [];
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([✔✖]) (.*?) \([\d.]+ms\)$/.exec(lines[i]!);
    if (m === null || m[2] === undefined) continue;
    let message = '';
    if (m[1] === '✖') for (let j = i + 1; j < lines.length && !/^[✔✖] /.test(lines[j]!); j++) message += `${lines[j]}\n`;
    // Node 24's spec reporter lists a failure bare, then again with its error under "failing tests".
    const seen = outcomes.find((o) => o.title === m[2]);
    if (seen === undefined) outcomes.push({ title: m[2], passed: m[1] === '✔', message });
    else if (seen.message.trim() === '') seen.message = message;
  }
  return outcomes;
}

/** node:test's TAP: `ok 2 - title` / `not ok 1 - title`, the failure's YAML block below. */
function fromTap(out: string): Outcome[] {
  const outcomes: Outcome[] = [];
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(not )?ok \d+ - (.*)$/.exec(lines[i]!);
    if (m === null || m[2] === undefined) continue;
    let message = '';
    if (m[1] !== undefined) for (let j = i + 1; j < lines.length && !/^(not )?ok \d+ /.test(lines[j]!); j++) message += `${lines[j]}\n`;
    outcomes.push({ title: m[2], passed: m[1] === undefined, message });
  }
  return outcomes;
}

function checkVerdicts(fixture: BuiltFixture, outcomes: Outcome[], runner: string): void {
  const byTitle = new Map(outcomes.map((o) => [o.title, o]));
  const expected: Record<string, boolean> = {
    'remember leaks': false,
    'handle is clean': true,
    'a bounded cache is clean': true,
    'lazy initialisation is clean': true,
    'pooled buffers are clean': true,
    'a cache that fills past the warm-ups, then stays level, is clean': true,
    'an async handler that leaks': false,
    'a leak in bursts fails': false,
    'a big import breaks its limit': false,
    'a small import keeps within its limit': true,
  };
  for (const [title, passes] of Object.entries(expected)) {
    const outcome = byTitle.get(title);
    assert.ok(outcome !== undefined, `${runner}: no result for '${title}' in ${JSON.stringify(outcomes.map((o) => o.title))}`);
    assert.equal(outcome.passed, passes, `${runner}: '${title}' ${outcome.passed ? 'passed' : 'failed'}: ${outcome.message.slice(0, 800)}`);
  }
  const remember = lineOf(fixture, 'src/store.ts', 'export function remember(');
  for (const title of ['remember leaks', 'an async handler that leaks']) {
    const message = byTitle.get(title)!.message;
    assert.match(message, /limitLeaks: [\d.]+ KiB stayed alive over 200 calls \(threshold 16\.0 KiB\), growing/, `${runner}: ${message}`);
    // The first row names the leaking TypeScript line.
    const first = /\n\s*(src\/store\.ts:(\d+) \(in remember[^)]*\)): \+/.exec(message);
    assert.ok(first !== null && Number(first[2]) >= remember && Number(first[2]) <= remember + 3, `${runner}: ${message}`);
  }
  // The bursty leak is stepwise: confirmed by growing again over as many calls, and says so.
  const bursts = byTitle.get('a leak in bursts fails')!.message;
  const burstLine = lineOf(fixture, 'src/store.ts', 'export function rememberInBursts(');
  const burst = /growing in steps it never gave back:\n\s*src\/store\.ts:(\d+) \((?:in )?rememberInBursts[^)]*\): \+[\d.]+ KiB, count [^\n]* \(then \+[\d.]+ KiB over 200 more calls\)/.exec(bursts);
  assert.ok(burst !== null && Number(burst[1]) === burstLine + 1, `${runner}: ${bursts}`);
  assert.match(byTitle.get('a big import breaks its limit')!.message, /limitMemory: [\d.]+ [KM]iB held when the call returned \(limit 1024 KiB; live memory after GC, not the peak\)/);
}

describe('alloctrace/test in real runners', () => {
  it('node:test: the leaks fail with their TypeScript line, the clean functions pass', () => {
    const fixture = fixtureProject();
    const { status, out } = run(fixture, ['--test', '--test-reporter=tap', 'suites/node.test.cjs']);
    assert.equal(status, 1, out);
    checkVerdicts(fixture, fromTap(out), 'node:test');
    // memorySummary() in an `after` hook: the three calls that held the most, the big import first.
    assert.match(out, /alloctrace\/test: 3 of 10 measured calls, most memory first/);
    assert.match(out, /suites\/shared\.cjs:17\s+limitMemory\s+[\d.]+ [KM]iB\s+1024 KiB\s+over/);
  });

  it('vitest (worker threads): the same verdicts', () => {
    const fixture = fixtureProject();
    const report = path.join(fixture.dir, 'vitest.json');
    const { status, out } = run(fixture, [path.join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--pool=threads', '--testTimeout=120000', '--reporter=json', `--outputFile=${report}`, 'suites/vitest.test.mjs']);
    assert.equal(status, 1, out);
    checkVerdicts(fixture, fromJsonReport(report), 'vitest');
  });

  it('jest: the same verdicts', () => {
    const fixture = fixtureProject();
    const report = path.join(fixture.dir, 'jest.json');
    const { status, out } = run(fixture, [path.join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--json', `--outputFile=${report}`]);
    assert.equal(status, 1, out);
    checkVerdicts(fixture, fromJsonReport(report), 'jest');
  });

  it('under alloctrace run: the helpers share the run\'s sampler, same verdicts, and the run keeps its trace', async () => {
    const fixture = fixtureProject();
    const trace = path.join(fixture.dir, 'under-run.trace');
    fs.rmSync(trace, { force: true });
    // node:test runs a test file's tests in-process when node runs the file itself. The run
    // samples every 1 KiB: the helpers take the run's interval (one sampler per thread).
    const { NODE_TEST_CONTEXT: _outer, ...env } = process.env;
    const result = await runAlloctrace(['run', '--interval', '1024', '-o', trace, 'suites/node.test.cjs'], { cwd: fixture.dir, env: { ...env, NODE_TEST_CONTEXT: undefined }, timeoutMs: 180_000 });
    assert.equal(result.code, 1, result.stderr);
    checkVerdicts(fixture, fromSpecOrTap(result.stdout), 'node:test under alloctrace run');
    // The run's own trace was not destroyed by the helpers' snapshots: it holds the leak too.
    const saved = JSON.parse(fs.readFileSync(trace, 'utf8')) as TraceFile;
    assert.ok(saved.samples.size.length > 100, `${saved.samples.size.length} samples in the run's trace`);
    assert.equal(saved.meta.interval, 1024);
  });
});
