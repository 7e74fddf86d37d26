/**
 * 4. Accuracy: a workload retains known bytes at known functions; `alloctrace run` estimates
 * them at several intervals, repeatedly. Reports the error distribution per site and interval,
 * and the total estimate against process.memoryUsage() deltas.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JsonStatisticsReport } from '../src/report/json';
import { CLI, REPO_ROOT, workload } from './paths';
import { measureOk } from './proc';
import { formatSummary, quantile, relativeError, summarize, type Summary } from './stats';
import { verdict, type Row } from './report';
import type { SiteTruth } from './workloads/accuracy';
import { benchSizeAccuracy, type SizeAccuracyResult } from './size-accuracy';

export interface AccuracyOptions {
  quick: boolean;
  scratch: string;
  log: (line: string) => void;
}

interface SiteRun {
  size: number;
  count: number;
  samples: number;
  sizeError: number;
  countError: number;
}

export interface AccuracyResult {
  truth: { sites: SiteTruth[]; heapUsedDelta: number; arrayBuffersDelta: number };
  /** interval → site → runs. */
  runs: Record<string, Record<string, SiteRun[]>>;
  /** interval → total estimated size of every row, per run; and the bench file's own rows. */
  totals: Record<string, { all: number[]; workloadFile: number[] }>;
  outsideHeapNote: boolean;
  summary: Record<string, Record<string, { sizeError: Summary; countError: Summary; absSizeErrorP90: number }>>;
  rows: Row[];
  /** Size distributions and real libraries against V8's raw sum (size-accuracy.ts). */
  sizes?: SizeAccuracyResult;
}

const KIB = 1024;
const MIB = 1024 * 1024;
const INTERVALS = [32 * KIB, 4 * KIB, 512 * KIB];
const label = (i: number): string => `${i / KIB}k`;

/** The JSON report is the last thing on stderr; warnings (one line each) may come first. */
export function parseJsonReport(stderr: string): JsonStatisticsReport {
  const start = stderr.startsWith('{') ? 0 : stderr.indexOf('\n{') + 1;
  return JSON.parse(stderr.slice(start)) as JsonStatisticsReport;
}

export async function benchAccuracy(options: AccuracyOptions): Promise<AccuracyResult> {
  const { quick, scratch, log } = options;
  const script = workload('accuracy');
  const truthFile = path.join(scratch, 'truth.json');
  const rounds = quick ? 2 : 6;
  const result: AccuracyResult = {
    truth: { sites: [], heapUsedDelta: 0, arrayBuffersDelta: 0 },
    runs: {},
    totals: {},
    outsideHeapNote: true,
    summary: {},
    rows: [],
  };
  const started = Date.now();
  for (let round = 0; round < rounds; round++) {
    // The default interval every round; the others every other round (they are slower or noisier).
    for (const interval of INTERVALS) {
      if (interval !== 32 * KIB && round % 2 === 1) continue;
      const measured = await measureOk(process.execPath, [CLI, 'run', '--json', '--top', 'all', '--group-by', 'function', '--user-code', '--interval', String(interval), script], {
        scratch,
        cwd: REPO_ROOT,
        env: { ...process.env, BENCH_TRUTH: truthFile },
      });
      const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as AccuracyResult['truth'];
      if (result.truth.sites.length === 0) result.truth = truth;
      const report = parseJsonReport(measured.stderr);
      result.outsideHeapNote &&= report.notes.some((n) => n.includes('outside the V8 heap'));
      const byInterval = (result.runs[label(interval)] ??= {});
      for (const site of truth.sites) {
        const row = report.stats.find((s) => s.function === site.function);
        const size = row?.size ?? 0;
        const count = row?.count ?? 0;
        // Buffers: the truth on the heap is "small"; compare against the off-heap bytes they hold.
        const truthBytes = site.external ?? site.bytes;
        const truthCount = site.external !== undefined ? 1 : site.count;
        (byInterval[site.function] ??= []).push({
          size,
          count,
          samples: row?.samples ?? 0,
          sizeError: relativeError(size, truthBytes),
          countError: site.external !== undefined ? Number.NaN : relativeError(count, truthCount),
        });
      }
      const totals = (result.totals[label(interval)] ??= { all: [], workloadFile: [] });
      totals.all.push(report.total.size);
      totals.workloadFile.push(report.stats.filter((s) => s.file === 'bench/workloads/accuracy.ts').reduce((sum, s) => sum + s.size, 0));
    }
  }
  log(`  accuracy: ${rounds} rounds in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const [interval, sites] of Object.entries(result.runs)) {
    result.summary[interval] = {};
    for (const [site, runs] of Object.entries(sites)) {
      result.summary[interval][site] = {
        sizeError: summarize(runs.map((r) => r.sizeError)),
        countError: summarize(runs.map((r) => r.countError).filter((e) => !Number.isNaN(e))),
        absSizeErrorP90: quantile(runs.map((r) => Math.abs(r.sizeError)), 0.9),
      };
    }
  }
  result.rows = accuracyRows(result);
  result.sizes = benchSizeAccuracy({ quick, scratch, log });
  result.rows.push(...result.sizes.rows);
  return result;
}

function pct(s: Summary): string {
  return formatSummary({ ...s, median: s.median * 100, min: s.min * 100, max: s.max * 100 }, 1, '%');
}

function accuracyRows(result: AccuracyResult): Row[] {
  const rows: Row[] = [];
  const section = 'accuracy';
  for (const interval of INTERVALS.map(label)) {
    const sites = result.summary[interval];
    if (sites === undefined) continue;
    for (const site of result.truth.sites) {
      const s = sites[site.function];
      if (s === undefined) continue;
      const mib = ((site.external ?? site.bytes) / MIB).toFixed(1);
      if (site.external !== undefined) {
        rows.push({ section, what: `${interval} ${site.function} (${mib} MiB off-heap): size counted`, value: pct({ ...s.sizeError, median: s.sizeError.median + 1, min: s.sizeError.min + 1, max: s.sizeError.max + 1 }), target: '< 10% (JS wrappers only)', verdict: verdict(s.sizeError.max + 1 < 0.1) });
        continue;
      }
      const big = site.bytes >= 8 * MIB;
      const targeted = interval === '32k' && big;
      const runs = result.runs[interval]![site.function]!;
      const within = runs.filter((r) => Math.abs(r.sizeError) <= 0.1).length;
      rows.push({
        section,
        what: `${interval} ${site.function} (${mib} MiB, ${site.count} objects): size error`,
        value: `${pct(s.sizeError)}${targeted ? `, ${within}/${runs.length} runs ≤10%` : ''}`,
        target: targeted ? '±10%' : '',
        verdict: targeted ? verdict(within === runs.length) : 'info',
      });
      rows.push({ section, what: `${interval} ${site.function}: count error`, value: pct(s.countError), target: '', verdict: 'info' });
    }
    const totals = result.totals[interval]!;
    const heap = result.truth.heapUsedDelta;
    rows.push({ section, what: `${interval} bench file's rows vs heapUsed delta (${(heap / MIB).toFixed(1)} MiB)`, value: pct(summarize(totals.workloadFile.map((t) => relativeError(t, heap)))), target: '', verdict: 'info' });
    rows.push({ section, what: `${interval} total estimate vs heapUsed delta`, value: pct(summarize(totals.all.map((t) => relativeError(t, heap)))), target: '', verdict: 'info' });
  }
  rows.push({ section, what: 'report says Buffer contents are not sampled', value: result.outsideHeapNote ? 'yes' : 'no', target: 'yes', verdict: verdict(result.outsideHeapNote) });
  return rows;
}
