/**
 * Size estimates on real V8, against the truth measured in the same process (heapUsed deltas
 * after a full GC) and against V8's own raw sum of a `node --heap-prof` run of the same program
 * (bench/workloads/sizes.ts and libraries.ts: fixed-seed size distributions, bson and rxjs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { inclusiveRawSums } from '../../bench/raw-sums';
import type { JsonStatisticsReport } from '../../src/report/json';
import { runAlloctrace } from '../helpers/cli';
import { FIXTURES, REPO_ROOT, scratchDir } from '../helpers/fixtures';
import { PROGRAM_NODE } from '../helpers/nodes';
import { reportOf } from '../helpers/report';

const WORKLOADS = path.join(REPO_ROOT, 'dist', 'bench', 'workloads');
const DISTRIBUTIONS = ['arraysMid', 'arraysBand', 'logUniformSizes', 'slicedStrings', 'maps'];

interface Truth {
  sites: Array<{ function: string; heapDelta: number }>;
  heapUsed?: number;
}

async function traced(workload: string, env: NodeJS.ProcessEnv = {}): Promise<{ report: JsonStatisticsReport; truth: Truth }> {
  const truthFile = path.join(scratchDir(), 'truth.json');
  const result = await runAlloctrace(['run', '--json', '--top', 'all', '--group-by', 'function', '--cumulative', path.join(WORKLOADS, `${workload}.js`)], {
    cwd: REPO_ROOT,
    env: { ...env, BENCH_TRUTH: truthFile },
    timeoutMs: 180_000,
  });
  assert.equal(result.code, 0, result.stderr);
  return { report: reportOf(result.stderr), truth: JSON.parse(fs.readFileSync(truthFile, 'utf8')) as Truth };
}

/** V8's raw sum per function (Σ selfSize of its node and callees) of a `node --heap-prof` run at the same interval. */
function rawSums(workload: string, env: NodeJS.ProcessEnv): Map<string, number> {
  const dir = scratchDir();
  const run = spawnSync(PROGRAM_NODE, ['--heap-prof', '--heap-prof-interval=32768', `--heap-prof-dir=${dir}`, path.join(WORKLOADS, `${workload}.js`)], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.heapprofile'));
  assert.ok(file !== undefined);
  return inclusiveRawSums(fs.readFileSync(path.join(dir, file), 'utf8'));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('size estimates on real V8', () => {
  it('size distributions: median error within 10 %, never worse than V8’s raw sum beyond noise', async () => {
    // ~500 samples per distribution: one run's sampling noise is 2–4 % (1 sigma).
    const env = { SIZES_ONLY: DISTRIBUTIONS.join(',') };
    const errors = new Map<string, number[]>(DISTRIBUTIONS.map((d) => [d, []]));
    for (let run = 0; run < 3; run++) {
      const { report, truth } = await traced('sizes', env);
      for (const site of truth.sites) {
        const row = report.stats.find((s) => s.function === site.function);
        errors.get(site.function)!.push(Math.abs((row?.size ?? 0) / site.heapDelta - 1));
      }
    }
    const raw = rawSums('sizes', env);
    const { truth } = await traced('sizes', env);
    const lines: string[] = [];
    for (const site of truth.sites) {
      const ours = median(errors.get(site.function)!);
      const theirs = Math.abs((raw.get(site.function) ?? 0) / site.heapDelta - 1);
      lines.push(`${site.function}: ours ${(ours * 100).toFixed(1)} %, V8's raw ${(theirs * 100).toFixed(1)} %`);
      // Ambiguous products (36–42 KB arrays: one object or two halves) hold the size posterior's
      // expectation (size-posterior.ts); V8's product alone read them at −9 … −29 %.
      assert.ok(ours < 0.1, lines.join('; '));
      // One raw run against a median of three: 3 sigma of the raw run's noise.
      assert.ok(ours <= theirs + 0.1, lines.join('; '));
    }
    console.log(lines.join('\n'));
  });

  it('bson and rxjs: the report never exceeds the heap, and bson reads within 15 % of its heap delta', async () => {
    const { report, truth } = await traced('libraries');
    const bson = report.stats.find((s) => s.function === 'bsonDeserialize');
    const heapDelta = truth.sites.find((s) => s.function === 'bsonDeserialize')!.heapDelta;
    assert.ok(bson !== undefined);
    const ratio = bson.size / heapDelta;
    // With V8's allocation folding this read 1.27-1.58x (docs/decisions.md).
    assert.ok(ratio > 0.85 && ratio < 1.15, `bson: ${ratio.toFixed(2)} × its heap delta`);
    assert.ok(report.total.size <= truth.heapUsed!, `total ${report.total.size} > heapUsed ${truth.heapUsed}`);
  });

  it('a program that calls v8.startHeapProfile runs as without alloctrace, and one line says why the trace ends there', async () => {
    const script = path.join(FIXTURES, 'self-profile', 'self-profile.js');
    const plain = spawnSync(PROGRAM_NODE, [script], { encoding: 'utf8' });
    const result = await runAlloctrace(['run', script], { cwd: REPO_ROOT });
    assert.equal(result.code, plain.status);
    assert.equal(result.stdout, plain.stdout);
    if (plain.stdout.startsWith('no v8.startHeapProfile')) return; // Node 20–24: nothing to hand over
    const ours = result.stderr.split('\n').filter((l) => l.startsWith('alloctrace: '));
    assert.deepEqual(ours, ["alloctrace: the program starts V8's heap profiler itself (v8.startHeapProfile, one per thread): alloctrace's trace is what was live up to now"]);
    assert.match(result.stderr, /Note: the program started V8's heap profiler itself/);
  });
});
