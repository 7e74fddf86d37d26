/**
 * The observer thread and `--mode peak`: what the observer worker costs a program at start-up
 * (ms until it runs, RSS it adds), how close the captured peak is to the real one, and what peak
 * mode costs against plain node, a default alloctrace run and `node --heap-prof`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, REPO_ROOT, workload } from './paths';
import type { Row } from './report';
import { formatSummary, summarize } from './stats';

export interface ObserverBench {
  rows: Row[];
  startup: Array<{ onlineMs: number; rssBytes: number }>;
  peak: Array<{ truth: number; captured: number | null; ms: Record<string, number> }>;
}

const OBSERVER = path.join(REPO_ROOT, 'dist', 'src', 'capture', 'observer.js');

function timed(command: string, args: readonly string[], cwd: string): number {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed: ${result.stderr}`);
  return Date.now() - started;
}

export async function benchObserver(context: { quick: boolean; scratch: string; log: (line: string) => void }): Promise<ObserverBench> {
  const rounds = context.quick ? 2 : 5;
  const startup: ObserverBench['startup'] = [];
  for (let i = 0; i < rounds; i++) {
    const result = spawnSync(process.execPath, [path.join(__dirname, 'observer-start.js'), OBSERVER], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`observer-start failed: ${result.stderr}`);
    startup.push(JSON.parse(result.stdout) as ObserverBench['startup'][number]);
  }
  const peak: ObserverBench['peak'] = [];
  const script = workload('peak');
  const dir = fs.mkdtempSync(path.join(context.scratch, 'peak-'));
  for (let i = 0; i < (context.quick ? 1 : 3); i++) {
    const truthFile = path.join(dir, `truth-${i}.json`);
    const trace = path.join(dir, `peak-${i}.trace`);
    const ms: Record<string, number> = {};
    ms['plain node'] = timed(process.execPath, [script, '60'], dir);
    ms['alloctrace (live)'] = timed(process.execPath, [CLI, '--top', '1', script, '60'], dir);
    ms['alloctrace --mode peak'] = timed(process.execPath, [CLI, '--mode', 'peak', '--top', '1', '-o', trace, script, '60', truthFile], dir);
    ms['node --heap-prof'] = timed(process.execPath, ['--heap-prof', `--heap-prof-dir=${dir}`, script, '60'], dir);
    const { truth } = JSON.parse(fs.readFileSync(truthFile, 'utf8')) as { truth: number };
    const meta = (JSON.parse(fs.readFileSync(trace, 'utf8')) as { meta: { heap?: { used: number } } }).meta;
    peak.push({ truth, captured: meta.heap?.used ?? null, ms });
    context.log(`bench: peak round ${i + 1}: truth ${(truth / 2 ** 20).toFixed(1)} MiB, captured ${((meta.heap?.used ?? 0) / 2 ** 20).toFixed(1)} MiB`);
  }
  const rows: Row[] = [
    { section: 'observer', what: 'observer worker start (ms until it runs)', value: formatSummary(summarize(startup.map((s) => s.onlineMs)), 0, ' ms'), target: 'info', verdict: 'info' },
    { section: 'observer', what: 'observer worker RSS added', value: formatSummary(summarize(startup.map((s) => s.rssBytes / 2 ** 20)), 1, ' MiB'), target: 'info', verdict: 'info' },
    {
      section: 'observer',
      what: 'peak captured / V8 heap in use at the peak (60 MB built)',
      value: formatSummary(summarize(peak.map((p) => (p.captured ?? 0) / p.truth)), 2, '×'),
      target: 'info',
      verdict: 'info',
    },
  ];
  for (const name of Object.keys(peak[0]?.ms ?? {})) {
    rows.push({ section: 'observer', what: `peak workload wall time: ${name}`, value: formatSummary(summarize(peak.map((p) => p.ms[name] ?? 0)), 0, ' ms'), target: 'info', verdict: 'info' });
  }
  return { rows, startup, peak };
}
