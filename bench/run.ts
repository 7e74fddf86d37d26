/**
 * `npm run bench`: every benchmark of docs/benchmarks.md in one run, printed as one table and
 * written to bench/results.json. Flags: --quick (smaller inputs, fewer rounds: for development),
 * --only=<section,...> (overhead, real, analysis, sourcemaps, accuracy, testing, retainer, observer, types;
 * written under the temporary folder unless --out says where), --out=<file>.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchAccuracy } from './accuracy';
import { benchAnalysis } from './analysis';
import { benchObserver } from './observer';
import { benchOverhead } from './overhead';
import { benchRealPrograms } from './real-programs';
import { CLI, REPO_ROOT } from './paths';
import { renderTable, type Row } from './report';
import { benchRetainer } from './retainer';
import { benchSourceMaps } from './sourcemap';
import { benchTestingVerdicts } from './testing-verdicts';
import { benchTypes } from './types';

const SECTIONS = ['overhead', 'real', 'analysis', 'sourcemaps', 'accuracy', 'testing', 'retainer', 'observer', 'types'] as const;
type Section = (typeof SECTIONS)[number];

interface Args {
  quick: boolean;
  only: Set<Section>;
  out: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, only: new Set(SECTIONS), out: path.join(REPO_ROOT, 'bench', 'results.json') };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--only=')) {
      const picked = arg.slice('--only='.length).split(',');
      for (const p of picked) if (!(SECTIONS as readonly string[]).includes(p)) throw new Error(`unknown section ${p} (one of ${SECTIONS.join(', ')})`);
      args.only = new Set(picked as Section[]);
      // A partial run never replaces the full run's results.
      if (args.out === path.join(REPO_ROOT, 'bench', 'results.json')) args.out = path.join(os.tmpdir(), `alloctrace-bench-${picked.join('-')}.json`);
    } else if (arg.startsWith('--out=')) args.out = path.resolve(arg.slice('--out='.length));
    else throw new Error(`unknown argument ${arg} (use --quick, --only=<sections>, --out=<file>)`);
  }
  return args;
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
  };
}

/** `alloctrace run` flags that exist in this build and change the overhead (issue 6's mode). */
function optionalRunFlags(): string[] {
  const help = spawnSync(process.execPath, [CLI, 'run', '--help'], { encoding: 'utf8' }).stdout ?? '';
  return ['--no-inlining', '--exact-lines'].filter((flag) => help.includes(flag));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-bench-'));
  const cache = path.join(REPO_ROOT, '.cache', 'bench');
  fs.mkdirSync(cache, { recursive: true });
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const started = Date.now();
  const results: Record<string, unknown> = {
    schema: 'alloctrace-bench',
    version: 1,
    date: new Date().toISOString(),
    quick: args.quick,
    machine: machine(),
    load: [] as Array<{ section: string; loadavg: number[] }>,
    seconds: {} as Record<string, number>,
  };
  const loads = results['load'] as Array<{ section: string; loadavg: number[] }>;
  const seconds = results['seconds'] as Record<string, number>;
  const rows: Row[] = [];
  const section = async <T extends { rows: Row[] }>(name: Section, run: () => Promise<T>): Promise<void> => {
    if (!args.only.has(name)) return;
    loads.push({ section: name, loadavg: os.loadavg().map((l) => +l.toFixed(2)) });
    log(`bench: ${name} (load average ${os.loadavg()[0]!.toFixed(2)})`);
    const t = Date.now();
    const result = await run();
    seconds[name] = (Date.now() - t) / 1000;
    results[name] = result;
    rows.push(...result.rows);
  };
  try {
    await section('overhead', () => {
      const flags = optionalRunFlags();
      return benchOverhead(
        { quick: args.quick, scratch, log },
        flags.map((flag) => ({ id: `alloctrace@32k ${flag}`, kind: 'alloctrace' as const, interval: 32 * 1024, flags: [flag] })),
      );
    });
    await section('real', () => benchRealPrograms({ quick: args.quick, scratch, cache, log }));
    await section('analysis', () => benchAnalysis({ quick: args.quick, scratch, cache, log }));
    await section('sourcemaps', () => benchSourceMaps({ quick: args.quick, scratch, cache, log }));
    await section('accuracy', () => benchAccuracy({ quick: args.quick, scratch, log }));
    await section('testing', async () => benchTestingVerdicts({ quick: args.quick, log }));
    await section('retainer', () => benchRetainer({ quick: args.quick, scratch, log }));
    await section('observer', () => benchObserver({ quick: args.quick, scratch, log }));
    await section('types', () => benchTypes({ quick: args.quick, scratch, log }));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  loads.push({ section: 'end', loadavg: os.loadavg().map((l) => +l.toFixed(2)) });
  seconds['total'] = (Date.now() - started) / 1000;
  results['rows'] = rows;
  const tmp = `${args.out}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(results, null, 1)}\n`);
  fs.renameSync(tmp, args.out);
  process.stdout.write(renderTable(rows));
  const m = results['machine'] as ReturnType<typeof machine>;
  process.stdout.write(
    `${m['cpus']}× ${m['cpu']}, ${m['memoryGiB']} GiB, ${m['os']}, node ${m['node']}; load average ${loads.map((l) => l.loadavg[0]).join(' → ')}\n` +
      `${args.quick ? 'quick run; ' : ''}${seconds['total'].toFixed(0)} s; results in ${path.relative(process.cwd(), args.out) || args.out}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
