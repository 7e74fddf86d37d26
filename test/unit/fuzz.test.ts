/**
 * Fuzz: mutated trace files and source maps (with special files, deep stack chains and control
 * characters among the mutations) never crash alloctrace (only AlloctraceError may be
 * thrown) and never hang it (the loop runs in a worker that is stopped after a bound). Seeded:
 * ALLOCTRACE_FUZZ_SEED reproduces a failure.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { FuzzInput, FuzzResult } from '../helpers/fuzz-worker';

const HANG_MS = 60_000;

it('mutated traces and maps: no crash, no hang', async () => {
  // A fixed number of iterations, not as many as fit in a time: the same inputs under any load
  // (the budget only stops a loop far slower than it should be, before the hang bound).
  const input: FuzzInput = { seed: Number(process.env['ALLOCTRACE_FUZZ_SEED'] ?? 20261125), iterations: 400, budgetMs: 40_000 };
  const worker = new Worker(path.join(__dirname, '..', 'helpers', 'fuzz-worker.js'), { workerData: input });
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    new Promise<FuzzResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`fuzz loop hung (seed ${input.seed})`)), HANG_MS);
    }),
  ]).finally(() => {
    clearTimeout(timer);
    void worker.terminate();
  });
  assert.deepEqual(result.failures, []);
  // The mutations reach both sides: some traces are accepted and analysed, many rejected.
  assert.ok(result.traceRuns >= 200, `only ${result.traceRuns} runs`);
  assert.ok(result.accepted >= 10 && result.rejected >= 10, JSON.stringify(result));
  // The structured classes (special files, deep chains) are reached too.
  assert.ok(result.deep >= 5 && result.special >= 5, JSON.stringify(result));
});
