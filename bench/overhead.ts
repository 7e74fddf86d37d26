/**
 * 1. Overhead on the traced program: `alloctrace run` against plain `node` and against
 * `node --heap-prof` at the same interval, on allocation-heavy workloads and an empty script.
 * Every variant of a workload runs once per round, in a rotating order, so the rounds pair up.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, PRELOAD, REPO_ROOT, workload } from './paths';
import { measureOk, processOf, type Measured } from './proc';
import { formatSummary, pairedDifferences, pairedRatios, summarize, type Summary } from './stats';
import { verdict, type Row } from './report';

export interface OverheadOptions {
  quick: boolean;
  scratch: string;
  log: (line: string) => void;
}

interface Variant {
  id: string;
  kind: 'node' | 'heap-prof' | 'alloctrace';
  interval: number | null;
  /** Extra `alloctrace run` flags (e.g. an exact-lines mode). */
  flags?: string[];
}

interface VariantRuns {
  /** End to end: spawn to exit of the command. */
  wallMs: number[];
  /** The traced program's own process, start to end of its exit listeners (trace written). */
  programMs: number[];
  /** CPU time (user + system) of the traced program's process: less sensitive to machine load. */
  cpuMs: number[];
  /** Peak RSS of the process that ran the workload, MiB. */
  rssMiB: number[];
  /** Peak RSS of the alloctrace CLI process (it reads and reports the trace), MiB. */
  cliRssMiB: number[];
  /** Time the traced process spent in exit listeners (writing the trace), ms. */
  exitMs: number[];
}

export interface OverheadResult {
  workloads: Record<string, { scale: number; variants: Record<string, VariantRuns & { summary: Record<keyof VariantRuns, Summary> }> }>;
  preload: { importMs: Summary; modules: string[]; bytes: number };
  rows: Row[];
}

const KIB = 1024;
export const INTERVALS = [32 * KIB, 4 * KIB, 512 * KIB];
const LABEL = (i: number): string => `${i / KIB}k`;

/** Allocation-heavy workloads (scale 1 ≈ 0.3–0.9 s of plain node on the recorded machine). */
const WORKLOADS = ['churn', 'strings', 'json', 'cache'] as const;

function variantsFor(extra: Variant[]): Variant[] {
  const out: Variant[] = [{ id: 'node', kind: 'node', interval: null }];
  for (const interval of INTERVALS) {
    out.push({ id: `heap-prof@${LABEL(interval)}`, kind: 'heap-prof', interval });
    out.push({ id: `alloctrace@${LABEL(interval)}`, kind: 'alloctrace', interval });
  }
  return [...out, ...extra];
}

function commandOf(v: Variant, script: string, scale: number, heapDir: string): string[] {
  switch (v.kind) {
    case 'node':
      return [script, String(scale)];
    case 'heap-prof':
      return ['--heap-prof', `--heap-prof-interval=${v.interval}`, `--heap-prof-dir=${heapDir}`, script, String(scale)];
    case 'alloctrace':
      return [CLI, 'run', '--interval', String(v.interval), ...(v.flags ?? []), script, String(scale)];
  }
}

function emptyRuns(): VariantRuns {
  return { wallMs: [], programMs: [], cpuMs: [], rssMiB: [], cliRssMiB: [], exitMs: [] };
}

function record(runs: VariantRuns, result: Measured, script: string): void {
  const program = processOf(result, script);
  const cli = processOf(result, CLI);
  if (program === undefined) throw new Error(`no probe record for ${script}`);
  runs.wallMs.push(result.wallMs);
  runs.programMs.push(program.uptimeMs);
  runs.cpuMs.push(program.cpuUserMs + program.cpuSystemMs);
  runs.rssMiB.push(program.maxRssKiB / KIB);
  runs.exitMs.push(program.uptimeMs - program.exitStartMs);
  if (cli !== undefined) runs.cliRssMiB.push(cli.maxRssKiB / KIB);
}

/** Cost of loading the preload inside a fresh process (config set, so it starts sampling). */
function measurePreload(scratch: string, reps: number): OverheadResult['preload'] {
  const script = path.join(__dirname, 'preload-cost.js');
  const times: number[] = [];
  let modules: string[] = [];
  let bytes = 0;
  for (let i = 0; i < reps; i++) {
    const out = spawnSync(process.execPath, [script, PRELOAD, path.join(scratch, `preload-${i}.trace`)], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`preload-cost failed: ${out.stderr}`);
    const parsed = JSON.parse(out.stdout) as { importMs: number; modules: string[]; bytes: number };
    times.push(parsed.importMs);
    modules = parsed.modules.map((m) => path.relative(REPO_ROOT, m));
    bytes = parsed.bytes;
  }
  return { importMs: summarize(times), modules, bytes };
}

export async function benchOverhead(options: OverheadOptions, extraVariants: Variant[] = []): Promise<OverheadResult> {
  const { quick, scratch, log } = options;
  const reps = quick ? 2 : 4;
  const emptyReps = quick ? 4 : 12;
  const scale = quick ? 0.25 : 1;
  const variants = variantsFor(extraVariants);
  const heapDir = path.join(scratch, 'heap-prof');
  const result: OverheadResult = { workloads: {}, preload: measurePreload(scratch, quick ? 5 : 15), rows: [] };

  for (const name of [...WORKLOADS, 'empty'] as const) {
    const script = workload(name);
    const rounds = name === 'empty' ? emptyReps : reps;
    const runs = new Map(variants.map((v) => [v.id, emptyRuns()]));
    const started = Date.now();
    // A warm-up round before the first workload, not recorded: the first spawns pay for cold caches.
    const first = name === WORKLOADS[0] ? -1 : 0;
    for (let round = first; round < rounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + Math.max(0, round)) % variants.length]!;
        fs.rmSync(heapDir, { recursive: true, force: true });
        const measured = await measureOk(process.execPath, commandOf(v, script, scale, heapDir), { scratch, cwd: REPO_ROOT });
        if (round >= 0) record(runs.get(v.id)!, measured, script);
      }
    }
    log(`  overhead ${name}: ${rounds} rounds × ${variants.length} variants in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const entry: OverheadResult['workloads'][string] = { scale: name === 'empty' ? 0 : scale, variants: {} };
    for (const [id, r] of runs) {
      entry.variants[id] = {
        ...r,
        summary: { wallMs: summarize(r.wallMs), programMs: summarize(r.programMs), cpuMs: summarize(r.cpuMs), rssMiB: summarize(r.rssMiB), cliRssMiB: summarize(r.cliRssMiB), exitMs: summarize(r.exitMs) },
      };
    }
    result.workloads[name] = entry;
  }
  result.rows = overheadRows(result, variants);
  return result;
}

function pct(s: Summary): string {
  return formatSummary({ ...s, median: (s.median - 1) * 100, min: (s.min - 1) * 100, max: (s.max - 1) * 100 }, 1, '%');
}

function overheadRows(result: OverheadResult, variants: Variant[]): Row[] {
  const rows: Row[] = [];
  const section = 'overhead';
  const get = (w: string, id: string): VariantRuns => result.workloads[w]!.variants[id]!;
  for (const w of WORKLOADS) {
    const node = get(w, 'node');
    for (const v of variants.filter((x) => x.kind === 'alloctrace')) {
      const at = get(w, v.id);
      const heapProf = v.interval === null ? undefined : result.workloads[w]!.variants[`heap-prof@${LABEL(v.interval)}`];
      const isDefault = v.interval === 32 * KIB && v.flags === undefined;
      const vsNode = pairedRatios(at.wallMs, node.wallMs);
      rows.push({ section, what: `${w}: ${v.id} wall vs node`, value: pct(vsNode), target: isDefault ? '≤ +5%' : '', verdict: isDefault ? verdict(vsNode.median <= 1.05) : 'info' });
      if (isDefault) {
        const program = pairedRatios(at.programMs, node.programMs);
        rows.push({ section, what: `${w}: ${v.id} traced process time vs node`, value: pct(program), target: '≤ +5%', verdict: verdict(program.median <= 1.05) });
      }
      const cpu = pairedRatios(at.cpuMs, node.cpuMs);
      rows.push({ section, what: `${w}: ${v.id} traced process CPU vs node`, value: pct(cpu), target: isDefault ? '≤ +5%' : '', verdict: isDefault ? verdict(cpu.median <= 1.05) : 'info' });
      if (heapProf !== undefined) {
        const cpuVsHeap = pairedRatios(at.cpuMs, heapProf.cpuMs);
        rows.push({ section, what: `${w}: ${v.id} traced process CPU vs --heap-prof`, value: pct(cpuVsHeap), target: '≤ +0%', verdict: verdict(cpuVsHeap.median <= 1.0) });
        const programVsHeap = pairedRatios(at.programMs, heapProf.programMs);
        rows.push({ section, what: `${w}: ${v.id} traced process time vs --heap-prof`, value: pct(programVsHeap), target: '≤ +0%', verdict: verdict(programVsHeap.median <= 1.0) });
        const vsHeap = pairedRatios(at.wallMs, heapProf.wallMs);
        rows.push({ section, what: `${w}: ${v.id} run end to end vs --heap-prof same interval`, value: pct(vsHeap), target: '', verdict: 'info' });
      }
      if (isDefault) rows.push({ section, what: `${w}: ${v.id} peak RSS vs node`, value: pct(pairedRatios(at.rssMiB, node.rssMiB)), target: '', verdict: 'info' });
    }
    for (const interval of INTERVALS) {
      const hp = get(w, `heap-prof@${LABEL(interval)}`);
      rows.push({ section, what: `${w}: heap-prof@${LABEL(interval)} CPU vs node`, value: pct(pairedRatios(hp.cpuMs, node.cpuMs)), target: '', verdict: 'info' });
    }
  }
  const empty = (id: string): VariantRuns => get('empty', id);
  const startup = pairedDifferences(empty('alloctrace@32k').wallMs, empty('node').wallMs);
  rows.push({ section: 'start-up', what: 'empty script: alloctrace run − node (end to end)', value: formatSummary(startup, 0, ' ms'), target: '< 50 ms', verdict: verdict(startup.median < 50) });
  const startupProgram = pairedDifferences(empty('alloctrace@32k').programMs, empty('node').programMs);
  rows.push({ section: 'start-up', what: 'empty script: traced process − node process', value: formatSummary(startupProgram, 0, ' ms'), target: '< 50 ms', verdict: verdict(startupProgram.median < 50) });
  const startupCpu = pairedDifferences(empty('alloctrace@32k').cpuMs, empty('node').cpuMs);
  rows.push({ section: 'start-up', what: 'empty script: traced process CPU − node CPU', value: formatSummary(startupCpu, 0, ' ms'), target: '< 50 ms', verdict: verdict(startupCpu.median < 50) });
  rows.push({ section: 'start-up', what: 'empty script: trace write at exit', value: formatSummary(summarize(empty('alloctrace@32k').exitMs), 1, ' ms'), target: '', verdict: 'info' });
  const vsHeapProf = pairedRatios(empty('alloctrace@32k').wallMs, empty('heap-prof@32k').wallMs);
  rows.push({ section: 'start-up', what: 'empty script: alloctrace run / node --heap-prof@32k (end to end)', value: formatSummary(vsHeapProf, 2, '×'), target: '≤ 1.3×', verdict: verdict(vsHeapProf.median <= 1.3) });
  const cli = pairedDifferences(empty('alloctrace@32k').wallMs, empty('alloctrace@32k').programMs);
  rows.push({ section: 'start-up', what: 'empty script: alloctrace run end to end − its traced process (the CLI: start, spawn, report)', value: formatSummary(cli, 0, ' ms'), target: '', verdict: 'info' });
  rows.push({ section: 'start-up', what: 'empty script: --heap-prof@32k − node (end to end)', value: formatSummary(pairedDifferences(empty('heap-prof@32k').wallMs, empty('node').wallMs), 0, ' ms'), target: '', verdict: 'info' });
  const p = result.preload;
  rows.push({ section: 'start-up', what: `preload import + start sampling (${p.modules.length} modules, ${(p.bytes / 1024).toFixed(1)} KiB)`, value: formatSummary(p.importMs, 1, ' ms'), target: 'small', verdict: 'info' });
  return rows;
}
