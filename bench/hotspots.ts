/**
 * How many planted hotspots land on their exact line: the `hotspots` fixture (8 hotspots: three
 * top-level statements, a builtin call reached through inlinable functions, a generator whose
 * minified form folds an array literal into `join`, `setTimeout` + `unref()`, a function
 * allocating on two lines) built four ways (tsc CommonJS, tsc ESM, esbuild bundle, esbuild
 * minified), traced with `--user-code` by default and with `--exact-lines`. Counts wrong exact
 * lines too (an exact row above the floor where nothing was planted) and wall time.
 * `npm run build && node dist/bench/hotspots.js [runs] [--node <path>]`; docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import type { JsonStatisticsReport } from '../src/report/json';
import { ALL_VARIANTS, buildFixture, CLI } from '../test/helpers/fixtures';
import { HOTSPOTS, scoreHotspots } from '../test/helpers/hotspots';

const MODES: ReadonlyArray<[string, string[]]> = [
  ['default', []],
  ['--no-inlining', ['--no-inlining']],
  ['--exact-lines', ['--exact-lines']],
];

function main(): void {
  const args = process.argv.slice(2);
  const nodeAt = args.indexOf('--node');
  const node = nodeAt >= 0 ? args[nodeAt + 1]! : null;
  const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--node') ?? 3);
  const totals = new Map<string, { exact: number; planted: number; wrong: string[]; ms: number[] }>();
  for (const variant of ALL_VARIANTS) {
    const fixture = buildFixture('hotspots', variant);
    for (const [mode, flags] of MODES) {
      const total = totals.get(mode) ?? { exact: 0, planted: 0, wrong: [], ms: [] };
      totals.set(mode, total);
      for (let r = 0; r < runs; r++) {
        const start = process.hrtime.bigint();
        const cli = [CLI, 'run', ...(node === null ? [] : ['--node', node]), '--json', '--top', '0', '--user-code', ...flags, fixture.entry];
        const result = spawnSync(process.execPath, cli, { cwd: fixture.dir, encoding: 'utf8' });
        total.ms.push(Number(process.hrtime.bigint() - start) / 1e6);
        if (result.status !== 0) throw new Error(`${variant} ${mode}: ${result.stderr}`);
        const score = scoreHotspots(JSON.parse(result.stderr) as JsonStatisticsReport, fixture);
        total.exact += score.exact.length;
        total.planted += HOTSPOTS.length;
        total.wrong.push(...score.wrong.map((w) => `${variant}: ${w}`));
        console.log(`${variant.padEnd(22)} ${mode.padEnd(14)} exact ${score.exact.length}/${HOTSPOTS.length}  missed: ${score.missed.join(', ') || '-'}${score.wrong.length > 0 ? `  WRONG: ${score.wrong.join(', ')}` : ''}`);
      }
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
  const base = median(totals.get('default')!.ms);
  console.log(`\nNode ${node ?? process.version}, ${runs} run(s) per build and mode:`);
  for (const [mode, t] of totals) {
    const share = ((t.exact / t.planted) * 100).toFixed(0);
    console.log(`${mode.padEnd(14)} ${share.padStart(3)} % of planted hotspots on their exact line (${t.exact}/${t.planted}), ${t.wrong.length} wrong exact line(s), wall x${(median(t.ms) / base).toFixed(2)} of default`);
  }
}

if (require.main === module) main();
