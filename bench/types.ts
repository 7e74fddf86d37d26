/**
 * `run --types` and `--census` (issue 14): what they cost against plain node and a default
 * sampling run on a ~40 MB live heap of mixed kinds: wall time, peak RSS of the program and of the
 * CLI (which reads the snapshot), and the snapshot's size.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, workload } from './paths';
import { measureOk, processOf, type Measured } from './proc';
import type { Row } from './report';
import { formatSummary, pairedRatios, summarize } from './stats';

const KIB = 1024;

interface Runs {
  wallMs: number[];
  /** In the program, from its end to its exit: writing the trace (and the snapshot). */
  exitMs: number[];
  /** After the program exited: the CLI reading, partitioning and reporting. */
  afterMs: number[];
  rssMiB: number[];
  cliRssMiB: number[];
}

export interface TypesBench {
  rows: Row[];
  variants: Record<string, Runs>;
  snapshotMiB: Record<string, number[]>;
}

const VARIANTS = ['plain node', 'alloctrace (sampling)', 'alloctrace --census', 'alloctrace --types'] as const;

export async function benchTypes(context: { quick: boolean; scratch: string; log: (line: string) => void }): Promise<TypesBench> {
  const script = workload('objects');
  const scale = context.quick ? 0.5 : 1;
  const rounds = context.quick ? 1 : 3;
  const dir = fs.mkdtempSync(path.join(context.scratch, 'types-'));
  const variants: Record<string, Runs> = Object.fromEntries(VARIANTS.map((v) => [v, { wallMs: [], exitMs: [], afterMs: [], rssMiB: [], cliRssMiB: [] }]));
  const snapshotMiB: Record<string, number[]> = { census: [], types: [] };
  for (let round = 0; round < rounds; round++) {
    for (const variant of VARIANTS) {
      const trace = path.join(dir, `r${round}.trace`);
      const args =
        variant === 'plain node'
          ? [script, String(scale)]
          : [CLI, 'run', '--top', '1', '-o', trace, '--force', ...(variant === 'alloctrace --census' ? ['--census'] : variant === 'alloctrace --types' ? ['--types'] : []), script, String(scale)];
      const measured: Measured = await measureOk(process.execPath, args, { scratch: context.scratch, cwd: dir });
      const program = processOf(measured, script);
      const cli = processOf(measured, CLI);
      const runs = variants[variant]!;
      runs.wallMs.push(measured.wallMs);
      if (program !== undefined) {
        runs.rssMiB.push(program.maxRssKiB / KIB);
        runs.exitMs.push(program.uptimeMs - program.exitStartMs);
        if (cli !== undefined) runs.afterMs.push(cli.uptimeMs - program.uptimeMs);
      }
      if (cli !== undefined) runs.cliRssMiB.push(cli.maxRssKiB / KIB);
      if (variant === 'alloctrace --census' || variant === 'alloctrace --types') {
        const notes = (JSON.parse(fs.readFileSync(trace, 'utf8')) as { meta: { notes: string[] } }).meta.notes;
        const size = notes.map((n) => /heap snapshot of ([\d.]+) MiB/.exec(n)?.[1]).find((s) => s !== undefined);
        if (size !== undefined) snapshotMiB[variant === 'alloctrace --census' ? 'census' : 'types']!.push(Number(size));
      }
      context.log(`bench: types round ${round + 1}: ${variant} ${(measured.wallMs / 1000).toFixed(1)} s`);
    }
  }
  const plain = variants['plain node']!;
  const sampling = variants['alloctrace (sampling)']!;
  const rows: Row[] = [];
  for (const variant of ['alloctrace --census', 'alloctrace --types'] as const) {
    const runs = variants[variant]!;
    const key = variant === 'alloctrace --census' ? 'census' : 'types';
    rows.push(
      { section: 'types', what: `${variant}: wall time vs plain node (${Math.round(40 * scale)} MB live)`, value: formatSummary(pairedRatios(runs.wallMs, plain.wallMs), 1, '×'), target: 'info', verdict: 'info' },
      { section: 'types', what: `${variant}: wall time vs a sampling run`, value: formatSummary(pairedRatios(runs.wallMs, sampling.wallMs), 1, '×'), target: 'info', verdict: 'info' },
      { section: 'types', what: `${variant}: in the program at exit (sampling run ${formatSummary(summarize(sampling.exitMs), 0)} ms)`, value: formatSummary(summarize(runs.exitMs), 0, ' ms'), target: 'info', verdict: 'info' },
      { section: 'types', what: `${variant}: in the CLI after the program (sampling run ${formatSummary(summarize(sampling.afterMs), 0)} ms)`, value: formatSummary(summarize(runs.afterMs), 0, ' ms'), target: 'info', verdict: 'info' },
      { section: 'types', what: `${variant}: program peak RSS (plain node ${formatSummary(summarize(plain.rssMiB), 0)} MiB)`, value: formatSummary(summarize(runs.rssMiB), 0, ' MiB'), target: 'info', verdict: 'info' },
      { section: 'types', what: `${variant}: CLI peak RSS (sampling run ${formatSummary(summarize(sampling.cliRssMiB), 0)} MiB)`, value: formatSummary(summarize(runs.cliRssMiB), 0, ' MiB'), target: 'info', verdict: 'info' },
      { section: 'types', what: `${variant}: heap snapshot size`, value: formatSummary(summarize(snapshotMiB[key]!), 0, ' MiB'), target: 'info', verdict: 'info' },
    );
  }
  return { rows, variants, snapshotMiB };
}
