/**
 * 2. Analysis at scale: `show` (every group-by, text and JSON) and `compare` on large synthetic
 * traces over real compiled scripts and maps, against the floor of reading and parsing the file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveTrace } from '../src/pipeline/resolve';
import { writeTrace } from '../src/trace/write';
import { CLI, REPO_ROOT } from './paths';
import { measureOk, processOf } from './proc';
import { formatSummary, pairedDifferences, pairedRatios, summarize, type Summary } from './stats';
import { verdict, type Row } from './report';
import { writeCompiledModules, type GeneratedScript } from './synth-code';
import { synthTrace } from './synth-trace';

export interface AnalysisOptions {
  quick: boolean;
  scratch: string;
  /** Folder kept between runs for the compiled synthetic scripts (slow to build). */
  cache: string;
  log: (line: string) => void;
}

export interface Shape {
  scripts: number;
  functionsPerScript: number;
  nodes: number;
  samples: number;
}

interface Config {
  id: string;
  /** CLI arguments after `node bin/alloctrace.js`. */
  args: string[];
  /** Which floor it is compared with: the file(s) it reads. */
  floor: 'resolved' | 'unresolved' | 'two-resolved' | 'tiny';
}

export interface AnalysisResult {
  shape: Shape & { frames: number; stacks: number; traceBytes: number; resolvedTraceBytes: number; mapBytes: number; generatedBytes: number };
  setupMs: { compile: number; synthesize: number; symbolize: number };
  compareAvailable: boolean;
  runs: Record<string, { wallMs: number[]; rssMiB: number[] }>;
  summary: Record<string, { wallMs: Summary; rssMiB: Summary; vsFloor: Summary; overFloorMs: Summary }>;
  rows: Row[];
}

const GENERATOR_VERSION = 1;
const INTERVAL = 32 * 1024;

function compiledScripts(options: AnalysisOptions, shape: Shape): { root: string; scripts: GeneratedScript[]; ms: number } {
  const root = path.join(options.cache, `synth-v${GENERATOR_VERSION}-${shape.scripts}x${shape.functionsPerScript}`);
  const index = path.join(root, 'scripts.json');
  const started = performance.now();
  if (fs.existsSync(index)) return { root, scripts: JSON.parse(fs.readFileSync(index, 'utf8')) as GeneratedScript[], ms: 0 };
  fs.rmSync(root, { recursive: true, force: true });
  const scripts = writeCompiledModules(root, shape.scripts, shape.functionsPerScript);
  fs.writeFileSync(index, JSON.stringify(scripts));
  return { root, scripts, ms: performance.now() - started };
}

function cliSupports(command: string): boolean {
  return spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' }).status === 0;
}

export async function benchAnalysis(options: AnalysisOptions): Promise<AnalysisResult> {
  const { quick, scratch, log } = options;
  const shape: Shape = quick ? { scripts: 200, functionsPerScript: 50, nodes: 10_000, samples: 100_000 } : { scripts: 2000, functionsPerScript: 50, nodes: 100_000, samples: 1_000_000 };
  const { root, scripts, ms: compileMs } = compiledScripts(options, shape);

  let t = performance.now();
  const files = {
    a: path.join(scratch, 'a.trace'),
    b: path.join(scratch, 'b.trace'),
    aResolved: path.join(scratch, 'a.resolved.trace'),
    bResolved: path.join(scratch, 'b.resolved.trace'),
    small: path.join(scratch, 'small.trace'),
    tiny: path.join(scratch, 'tiny.trace'),
  };
  const traceA = synthTrace({ scripts, root, nodes: shape.nodes, samples: shape.samples, interval: INTERVAL, seed: 1 });
  const traceB = synthTrace({ scripts, root, nodes: shape.nodes, samples: shape.samples, interval: INTERVAL, seed: 2 });
  writeTrace(files.a, traceA, { overwrite: true });
  writeTrace(files.b, traceB, { overwrite: true });
  // The report's own time: 10 K samples as captured, less the same command on 10 samples (start-up, reading).
  writeTrace(files.small, synthTrace({ scripts, root, nodes: 2_000, samples: 10_000, interval: INTERVAL, seed: 3 }), { overwrite: true });
  writeTrace(files.tiny, synthTrace({ scripts, root, nodes: 10, samples: 10, interval: INTERVAL, seed: 3 }), { overwrite: true });
  const synthesizeMs = performance.now() - t;
  t = performance.now();
  // What `run -o` saves: the same trace prepared as `run` prepares it (source maps, lines).
  const resolvedA = resolveTrace(traceA, { sourceMaps: true });
  const symbolizeMs = performance.now() - t;
  // The parse budget for exact lines may skip scripts (one `lines:` warning); anything else is a broken setup.
  const broken = resolvedA.diagnostics.map((d) => d.message).filter((w) => !w.startsWith('lines:'));
  if (broken.length > 0) throw new Error(`synthetic maps did not resolve: ${broken[0]}`);
  writeTrace(files.aResolved, resolvedA.trace, { overwrite: true });
  writeTrace(files.bResolved, resolveTrace(traceB, { sourceMaps: true }).trace, { overwrite: true });

  const mapBytes = scripts.reduce((sum, s) => sum + fs.statSync(`${s.file}.map`).size, 0);
  const generatedBytes = scripts.reduce((sum, s) => sum + fs.statSync(s.file).size, 0);
  const result: AnalysisResult = {
    shape: {
      ...shape,
      frames: traceA.frames.length,
      stacks: traceA.stacks.frame.length,
      traceBytes: fs.statSync(files.a).size,
      resolvedTraceBytes: fs.statSync(files.aResolved).size,
      mapBytes,
      generatedBytes,
    },
    setupMs: { compile: compileMs, synthesize: synthesizeMs, symbolize: symbolizeMs },
    compareAvailable: cliSupports('compare'),
    runs: {},
    summary: {},
    rows: [],
  };
  log(`  analysis: ${shape.samples} samples, ${result.shape.stacks} stacks, ${result.shape.frames} frames, ${shape.scripts} scripts; trace ${(result.shape.traceBytes / 2 ** 20).toFixed(1)} MiB, maps ${(mapBytes / 2 ** 20).toFixed(1)} MiB`);

  const configs: Config[] = [];
  for (const groupBy of ['lineno', 'filename', 'function', 'traceback']) {
    configs.push({ id: `show --group-by ${groupBy}`, args: ['show', '--group-by', groupBy, files.aResolved], floor: 'resolved' });
    configs.push({ id: `show --group-by ${groupBy} --json`, args: ['show', '--group-by', groupBy, '--json', files.aResolved], floor: 'resolved' });
  }
  // As the program's own process leaves it: source maps and lines resolved by `show` itself.
  configs.push({ id: 'show, trace as captured (maps and lines resolved by show)', args: ['show', files.a], floor: 'unresolved' });
  configs.push({ id: 'show, 10 K samples as captured', args: ['show', files.small], floor: 'tiny' });
  if (result.compareAvailable) {
    configs.push({ id: 'compare', args: ['compare', files.aResolved, files.bResolved], floor: 'two-resolved' });
    configs.push({ id: 'compare --json', args: ['compare', '--json', files.aResolved, files.bResolved], floor: 'two-resolved' });
  }
  const floors: Config[] = [
    { id: 'floor: read + JSON.parse (resolved trace)', args: [files.aResolved], floor: 'resolved' },
    { id: 'floor: read + JSON.parse (unresolved trace)', args: [files.a], floor: 'unresolved' },
    { id: 'floor: show of 10 samples as captured', args: ['show', files.tiny], floor: 'tiny' },
  ];
  if (result.compareAvailable) floors.push({ id: 'floor: read + JSON.parse (two traces)', args: [files.aResolved, files.bResolved], floor: 'two-resolved' });
  const floorScript = path.join(__dirname, 'floor.js');
  const all = [...floors, ...configs];
  for (const c of all) result.runs[c.id] = { wallMs: [], rssMiB: [] };

  const rounds = quick ? 1 : 3;
  const started = Date.now();
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < all.length; k++) {
      const c = all[(k + round) % all.length]!;
      const isFloor = c.id.startsWith('floor') && c.floor !== 'tiny';
      const script = isFloor ? floorScript : CLI;
      const measured = await measureOk(process.execPath, [script, ...c.args], { scratch, cwd: root });
      const proc = processOf(measured, script);
      result.runs[c.id]!.wallMs.push(measured.wallMs);
      result.runs[c.id]!.rssMiB.push((proc?.maxRssKiB ?? Number.NaN) / 1024);
    }
  }
  log(`  analysis: ${rounds} rounds × ${all.length} commands in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const floorOf = (kind: Config['floor']): string => floors.find((f) => f.floor === kind)!.id;
  for (const c of all) {
    const runs = result.runs[c.id]!;
    const floor = result.runs[floorOf(c.floor)]!;
    result.summary[c.id] = { wallMs: summarize(runs.wallMs), rssMiB: summarize(runs.rssMiB), vsFloor: pairedRatios(runs.wallMs, floor.wallMs), overFloorMs: pairedDifferences(runs.wallMs, floor.wallMs) };
  }
  result.rows = analysisRows(result, floors, configs);
  return result;
}

function analysisRows(result: AnalysisResult, floors: Config[], configs: Config[]): Row[] {
  const rows: Row[] = [];
  const section = 'analysis';
  for (const f of floors) {
    const s = result.summary[f.id]!;
    rows.push({ section, what: f.id, value: `${formatSummary(s.wallMs, 0, ' ms')}, ${formatSummary(s.rssMiB, 0, ' MiB')}`, target: '', verdict: 'info' });
  }
  for (const c of configs) {
    const s = result.summary[c.id]!;
    if (c.floor === 'tiny') {
      rows.push({ section, what: `${c.id}: report time (less the same on 10 samples)`, value: `${formatSummary(s.overFloorMs, 0, ' ms')} [${formatSummary(s.wallMs, 0, ' ms')}]`, target: '< 500 ms', verdict: verdict(s.overFloorMs.median < 500) });
      continue;
    }
    // A saved trace: ≤ 3 × its parse; as captured (maps and lines resolved by show): ≤ 10 ×.
    const limit = c.floor === 'unresolved' ? 10 : 3;
    rows.push({ section, what: `${c.id}: time vs floor`, value: `${formatSummary(s.vsFloor, 2, '×')} [${formatSummary(s.wallMs, 0, ' ms')}]`, target: `≤ ${limit}×`, verdict: verdict(s.vsFloor.median <= limit) });
    rows.push({ section, what: `${c.id}: peak RSS`, value: formatSummary(s.rssMiB, 0, ' MiB'), target: '< 1024 MiB', verdict: verdict(s.rssMiB.max < 1024) });
  }
  if (!result.compareAvailable) rows.push({ section, what: 'compare of two traces', value: 'TODO: `compare` is not in this build', target: '≤ 3×, < 1 GiB', verdict: 'info' });
  return rows;
}
