/**
 * Real programs beside the synthetic workloads: tsc (typescript 5.9.3, the JavaScript compiler,
 * installed by the bench into its cache folder: the project's own typescript 7 is a native binary,
 * and a second `typescript` devDependency would take over the `tsc` command) type-checking this
 * repository, and prettier 3.10.1 (a pinned devDependency) formatting `src/` to stdout. Each under plain node, `node --heap-prof` at 32 KiB, a bare
 * inspector session sampling as alloctrace does (the floor of what V8 costs), and `alloctrace run`
 * in `live` and `allocated` mode: wall, CPU and peak RSS of the program's process, and the time
 * the CLI takes after the program ended (the report).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, REPO_ROOT } from './paths';
import { measureOk, processOf, type Measured } from './proc';
import { formatSummary, pairedDifferences, pairedRatios, summarize, type Summary } from './stats';
import { verdict, type Row } from './report';
import { readTraceFile } from '../src/trace/read';
import { PRODUCER } from '../src/version';

export interface RealProgramsOptions {
  quick: boolean;
  scratch: string;
  /** Folder kept between runs: the pinned tsc is installed there once. */
  cache: string;
  log: (line: string) => void;
}

const INTERVAL = 32 * 1024;
const BARE = path.join(__dirname, 'bare-sampler.js');

type VariantId = 'node' | 'heap-prof' | 'bare' | 'bare-allocated' | 'alloctrace' | 'alloctrace-allocated';
const VARIANTS: readonly VariantId[] = ['node', 'heap-prof', 'bare', 'bare-allocated', 'alloctrace', 'alloctrace-allocated'];

interface Program {
  name: string;
  script: string;
  args: string[];
  /** What a row calls it. */
  label: string;
  /** Target for the report after the program ended, ms (`null`: information only). */
  reportTargetMs: number | null;
}

interface Runs {
  wallMs: number[];
  cpuMs: number[];
  programMs: number[];
  rssMiB: number[];
  /** CLI end minus program end (alloctrace variants): the report. */
  reportMs: number[];
  samples: number[];
}

export interface RealProgramsResult {
  programs: Record<string, { label: string; variants: Record<string, Runs & { summary: Record<keyof Runs, Summary> }> }>;
  rows: Row[];
}

const TSC_VERSION = '5.9.3';

/** typescript@5.9.3 under `cache` (npm, once), for its JavaScript `tsc`. */
function pinnedTsc(cache: string): string {
  const dir = path.join(cache, `typescript-${TSC_VERSION}`);
  const tsc = path.join(dir, 'node_modules', 'typescript', 'lib', 'tsc.js');
  if (fs.existsSync(tsc)) return tsc;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', `typescript@${TSC_VERSION}`], { cwd: dir, encoding: 'utf8' });
  if (npm.status !== 0 || !fs.existsSync(tsc)) throw new Error(`cannot install typescript@${TSC_VERSION} into ${dir}: ${npm.stderr ?? ''}`);
  return tsc;
}

function programs(quick: boolean, cache: string): Program[] {
  const tsc = pinnedTsc(cache);
  const prettier = path.join(REPO_ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  const sources = listTs(path.join(REPO_ROOT, 'src')).sort();
  const files = quick ? sources.slice(0, 30) : sources;
  return [
    { name: 'tsc', script: tsc, args: ['--noEmit', '-p', path.join(REPO_ROOT, 'tsconfig.json')], label: `tsc 5.9.3 --noEmit on this repository`, reportTargetMs: 2000 },
    { name: 'prettier', script: prettier, args: ['--no-config', ...files], label: `prettier 3.10.1 on ${files.length} files`, reportTargetMs: null },
  ];
}

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

function command(v: VariantId, p: Program, scratch: string, trace: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const env = { ...process.env };
  switch (v) {
    case 'node':
      return { args: [p.script, ...p.args], env };
    case 'heap-prof':
      return { args: ['--heap-prof', `--heap-prof-interval=${INTERVAL}`, `--heap-prof-dir=${path.join(scratch, 'heap-prof')}`, p.script, ...p.args], env };
    case 'bare':
    case 'bare-allocated':
      return { args: [`--require=${BARE}`, p.script, ...p.args], env: { ...env, BENCH_BARE_MODE: v === 'bare' ? 'live' : 'allocated', BENCH_BARE_INTERVAL: String(INTERVAL) } };
    case 'alloctrace':
      return { args: [CLI, 'run', '--top', '3', '--interval', String(INTERVAL), p.script, ...p.args], env };
    case 'alloctrace-allocated':
      // Saved, to count its samples (the save happens before the report: inside the report time).
      return { args: [CLI, 'run', '--top', '3', '--interval', String(INTERVAL), '--mode', 'allocated', '-o', trace, '--force', p.script, ...p.args], env };
  }
}

function emptyRuns(): Runs {
  return { wallMs: [], cpuMs: [], programMs: [], rssMiB: [], reportMs: [], samples: [] };
}

function record(runs: Runs, measured: Measured, script: string, trace: string | null): void {
  const program = processOf(measured, script);
  if (program === undefined) throw new Error(`no probe record for ${script}`);
  runs.wallMs.push(measured.wallMs);
  runs.cpuMs.push(program.cpuUserMs + program.cpuSystemMs);
  runs.programMs.push(program.uptimeMs);
  runs.rssMiB.push(program.maxRssKiB / 1024);
  const cli = processOf(measured, CLI);
  if (cli !== undefined) runs.reportMs.push(cli.endedAtMs - program.endedAtMs);
  if (trace !== null && fs.existsSync(trace)) runs.samples.push(readTraceFile(trace, { producer: PRODUCER }).samples.stack.length);
}

export async function benchRealPrograms(options: RealProgramsOptions): Promise<RealProgramsResult> {
  const { quick, scratch, log } = options;
  const rounds = quick ? 1 : 3;
  const result: RealProgramsResult = { programs: {}, rows: [] };
  for (const p of programs(quick, options.cache)) {
    const runs = new Map(VARIANTS.map((v) => [v, emptyRuns()]));
    const started = Date.now();
    const trace = path.join(scratch, `${p.name}.allocated.trace`);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(k + round) % VARIANTS.length]!;
        fs.rmSync(path.join(scratch, 'heap-prof'), { recursive: true, force: true });
        fs.rmSync(trace, { force: true });
        const { args, env } = command(v, p, scratch, trace);
        const measured = await measureOk(process.execPath, args, { scratch, cwd: REPO_ROOT, env, timeoutMs: 600_000 });
        record(runs.get(v)!, measured, p.script, v === 'alloctrace-allocated' ? trace : null);
      }
    }
    log(`  real programs ${p.name}: ${rounds} rounds × ${VARIANTS.length} variants in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const variants: RealProgramsResult['programs'][string]['variants'] = {};
    for (const [id, r] of runs) {
      variants[id] = { ...r, summary: { wallMs: summarize(r.wallMs), cpuMs: summarize(r.cpuMs), programMs: summarize(r.programMs), rssMiB: summarize(r.rssMiB), reportMs: summarize(r.reportMs), samples: summarize(r.samples) } };
    }
    result.programs[p.name] = { label: p.label, variants };
    result.rows.push(...rowsOf(p, variants));
  }
  return result;
}

function pct(s: Summary): string {
  return formatSummary({ ...s, median: (s.median - 1) * 100, min: (s.min - 1) * 100, max: (s.max - 1) * 100 }, 1, '%');
}

function rowsOf(p: Program, v: RealProgramsResult['programs'][string]['variants']): Row[] {
  const section = 'real programs';
  const rows: Row[] = [];
  const at = v['alloctrace']!;
  const hp = v['heap-prof']!;
  const node = v['node']!;
  const bareAllocated = v['bare-allocated']!;
  const allocated = v['alloctrace-allocated']!;
  rows.push({ section, what: `${p.label}: plain node wall, CPU, peak RSS`, value: `${formatSummary(node.summary.wallMs, 0, ' ms')}; ${formatSummary(node.summary.cpuMs, 0, ' ms')}; ${formatSummary(node.summary.rssMiB, 0, ' MiB')}`, target: '', verdict: 'info' });
  const cpuVsHp = pairedRatios(at.cpuMs, hp.cpuMs);
  rows.push({ section, what: `${p.name}: alloctrace traced process CPU vs --heap-prof@32k`, value: pct(cpuVsHp), target: '≤ +0%', verdict: verdict(cpuVsHp.median <= 1) });
  const wallVsHp = pairedRatios(at.programMs, hp.programMs);
  rows.push({ section, what: `${p.name}: alloctrace traced process wall vs --heap-prof@32k`, value: pct(wallVsHp), target: '≤ +0%', verdict: verdict(wallVsHp.median <= 1) });
  rows.push({ section, what: `${p.name}: alloctrace run end to end vs --heap-prof@32k`, value: pct(pairedRatios(at.wallMs, hp.wallMs)), target: '', verdict: 'info' });
  rows.push({ section, what: `${p.name}: alloctrace run end to end vs node`, value: pct(pairedRatios(at.wallMs, node.wallMs)), target: '', verdict: 'info' });
  rows.push({ section, what: `${p.name}: --heap-prof@32k CPU vs node`, value: pct(pairedRatios(hp.cpuMs, node.cpuMs)), target: '', verdict: 'info' });
  rows.push({ section, what: `${p.name}: bare inspector sampler CPU vs node`, value: pct(pairedRatios(v['bare']!.cpuMs, node.cpuMs)), target: '', verdict: 'info' });
  const report = at.summary.reportMs;
  rows.push({
    section,
    what: `${p.name}: report after the program ended`,
    value: formatSummary(report, 0, ' ms'),
    target: p.reportTargetMs === null ? '' : `< ${p.reportTargetMs} ms`,
    verdict: p.reportTargetMs === null ? 'info' : verdict(report.median < p.reportTargetMs),
  });
  rows.push({ section, what: `${p.name}: peak RSS, alloctrace / --heap-prof / node`, value: `${formatSummary(at.summary.rssMiB, 0)} / ${formatSummary(hp.summary.rssMiB, 0)} / ${formatSummary(node.summary.rssMiB, 0)} MiB`, target: '', verdict: 'info' });
  // Memory per sample in allocated mode: peak RSS above plain node, over the samples kept.
  const samples = allocated.summary.samples.median;
  const perSample = (runs: Runs): Summary => {
    const d = pairedDifferences(runs.rssMiB, node.rssMiB);
    const k = (2 ** 20) / samples / 1024;
    return { ...d, median: d.median * k, min: d.min * k, max: d.max * k };
  };
  const ours = perSample(allocated);
  const floor = perSample(bareAllocated);
  rows.push({ section, what: `${p.name}: --mode allocated peak RSS over node per sample (${Math.round(samples)} samples), alloctrace`, value: formatSummary(ours, 1, ' KiB'), target: '≤ bare V8 × 1.1', verdict: verdict(ours.median <= floor.median * 1.1) });
  rows.push({ section, what: `${p.name}: the same, bare inspector session (V8's own floor)`, value: formatSummary(floor, 1, ' KiB'), target: '', verdict: 'info' });
  rows.push({ section, what: `${p.name}: --mode allocated report after the program ended (saved with -o)`, value: formatSummary(allocated.summary.reportMs, 0, ' ms'), target: '', verdict: 'info' });
  return rows;
}
