/**
 * Accuracy over size distributions and real npm libraries (bench/workloads/sizes.ts,
 * libraries.ts): alloctrace's estimate per site against the truth measured in the same process
 * (heapUsed deltas after a full GC), and V8's raw sum (Σ selfSize under each function) of a
 * `node --heap-prof` run of the same program at the same interval. Libraries also run with
 * `--allocation-folding` (V8's default), to show what turning folding off buys.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inclusiveRawSums } from './raw-sums';
import { parseJsonReport } from './accuracy';
import { CLI, REPO_ROOT, workload } from './paths';
import { formatSummary, relativeError, summarize } from './stats';
import { verdict, type Row } from './report';

interface Truth {
  sites: Array<{ function: string; heapDelta: number }>;
  heapUsed?: number;
}

export interface SizeAccuracyResult {
  /** variant → site → relative errors, one per run. */
  errors: Record<string, Record<string, number[]>>;
  /** Report total over the process's whole heapUsed at the end (libraries), per variant. */
  totalOverHeap: Record<string, number[]>;
  rows: Row[];
}

function traced(name: string, scratch: string, extra: string[]): { stats: Array<{ function: string; size: number }>; total: number; truth: Truth } {
  const truthFile = path.join(scratch, `${name}-truth.json`);
  const run = spawnSync(process.execPath, [CLI, 'run', '--json', '--top', 'all', '--group-by', 'function', '--cumulative', ...extra, workload(name)], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_TRUTH: truthFile },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
  const report = parseJsonReport(run.stderr);
  return { stats: report.stats, total: report.total.size, truth: JSON.parse(fs.readFileSync(truthFile, 'utf8')) as Truth };
}

function rawSums(name: string, scratch: string): Map<string, number> {
  const dir = fs.mkdtempSync(path.join(scratch, 'heap-prof-'));
  const run = spawnSync(process.execPath, ['--heap-prof', '--heap-prof-interval=32768', `--heap-prof-dir=${dir}`, workload(name)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${name} --heap-prof: ${run.stderr}`);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.heapprofile'))!;
  const sums = inclusiveRawSums(fs.readFileSync(path.join(dir, file), 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  return sums;
}

export function benchSizeAccuracy(options: { quick: boolean; scratch: string; log: (line: string) => void }): SizeAccuracyResult {
  const rounds = options.quick ? 1 : 5;
  const result: SizeAccuracyResult = { errors: {}, totalOverHeap: {}, rows: [] };
  const record = (variant: string, site: string, error: number): void => {
    ((result.errors[variant] ??= {})[site] ??= []).push(error);
  };
  const started = Date.now();
  for (let round = 0; round < rounds; round++) {
    for (const name of ['sizes', 'libraries']) {
      const variants: Array<[string, string[]]> = name === 'libraries' ? [['alloctrace', []], ['alloctrace --allocation-folding', ['--allocation-folding']]] : [['alloctrace', []]];
      for (const [variant, extra] of variants) {
        const run = traced(name, options.scratch, extra);
        for (const site of run.truth.sites) record(variant, site.function, relativeError(run.stats.find((s) => s.function === site.function)?.size ?? 0, site.heapDelta));
        if (run.truth.heapUsed !== undefined) (result.totalOverHeap[variant] ??= []).push(run.total / run.truth.heapUsed);
      }
      // V8's raw sum of the same program: the same fixed-seed objects, truth from the traced run's process.
      const raw = rawSums(name, options.scratch);
      const truth = traced(name, options.scratch, []).truth;
      for (const site of truth.sites) record("V8's raw sum (--heap-prof)", site.function, relativeError(raw.get(site.function) ?? 0, site.heapDelta));
    }
  }
  options.log(`  size accuracy: ${rounds} rounds in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const pct = (xs: number[]): string => {
    const s = summarize(xs);
    return formatSummary({ ...s, median: s.median * 100, min: s.min * 100, max: s.max * 100 }, 1, '%');
  };
  const ours = result.errors['alloctrace'] ?? {};
  const raw = result.errors["V8's raw sum (--heap-prof)"] ?? {};
  for (const [site, errors] of Object.entries(ours)) {
    const theirs = raw[site] ?? [];
    const worse = Math.abs(summarize(errors).median) > Math.abs(summarize(theirs).median) + 0.03;
    result.rows.push({ section: 'accuracy', what: `32k ${site}: size error (alloctrace | V8's raw sum)`, value: `${pct(errors)} | ${pct(theirs)}`, target: 'never worse than raw sum (+3 % noise)', verdict: verdict(!worse) });
  }
  for (const [site, errors] of Object.entries(result.errors['alloctrace --allocation-folding'] ?? {})) {
    result.rows.push({ section: 'accuracy', what: `32k ${site}: size error with --allocation-folding`, value: pct(errors), target: '', verdict: 'info' });
  }
  for (const [variant, ratios] of Object.entries(result.totalOverHeap)) {
    const s = summarize(ratios);
    result.rows.push({ section: 'accuracy', what: `libraries: ${variant} total / whole heapUsed`, value: formatSummary(s, 2, '×'), target: variant === 'alloctrace' ? '≤ 1' : '', verdict: variant === 'alloctrace' ? verdict(s.max <= 1) : 'info' });
  }
  return result;
}
