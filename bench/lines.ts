/**
 * What real source lines cost and give: wall time of a busy program run plain, under alloctrace,
 * with `--no-inlining` and with `--exact-lines`; and, per run, the share of the top-10 rows'
 * bytes that got an exact line. `npm run build && node dist/bench/lines.js [runs]`.
 * Numbers are written down in docs/decisions.md ("Real source lines").
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JsonStatisticsReport } from '../src/report/json';

const CLI = path.join(__dirname, '..', '..', 'bin', 'alloctrace.js');

// A request-handling loop: JSON, templates, classes, Map caching, array pipelines; the cache
// keeps the last 2000 results alive.
const WORKLOAD = `
class Order {
  constructor(id, lines) { this.id = id; this.lines = lines; this.total = 0; }
  price() { this.total = this.lines.reduce((sum, l) => sum + l.qty * l.unit, 0); return this.total; }
}
const cache = new Map();
function parse(i) {
  const text = JSON.stringify({ id: i, lines: [{ sku: 'a' + (i % 13), qty: i % 7, unit: 3.5 }, { sku: 'b', qty: 2, unit: 1.25 }] });
  return JSON.parse(text);
}
function handle(i) {
  const raw = parse(i);
  const order = new Order(raw.id, raw.lines.map((l) => ({ ...l, label: \`\${l.sku} x\${l.qty}\` })));
  const summary = { id: order.id, total: order.price(), skus: order.lines.map((l) => l.sku).join(',') };
  cache.set(i % 2000, { order, summary, tags: ['t' + (i % 5), 'u' + (i % 3)] });
  return summary.total;
}
let sum = 0;
for (let i = 0; i < 150000; i++) sum += handle(i);
globalThis.kept = cache;
console.log('sum', Math.round(sum));
`;

interface Timing {
  label: string;
  ms: number[];
  exactShare: number | null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Share of the top-10 rows' bytes whose line is exact. */
export function exactShare(report: JsonStatisticsReport): number {
  const top = report.stats.slice(0, 10);
  const total = top.reduce((s, r) => s + r.size, 0);
  return total === 0 ? 0 : top.filter((r) => r.precision === 'exact').reduce((s, r) => s + r.size, 0) / total;
}

function time(label: string, args: string[], cwd: string, runs: number): Timing {
  const ms: number[] = [];
  let share: number | null = null;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(args[0]!, args.slice(1), { cwd, encoding: 'utf8' });
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`${label} failed: ${result.stderr}`);
    if (args.includes('--json')) share = exactShare(JSON.parse(result.stderr) as JsonStatisticsReport);
  }
  return { label, ms, exactShare: share };
}

function main(): void {
  const runs = Number(process.argv[2] ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-bench-lines-'));
  try {
    const script = path.join(dir, 'workload.js');
    fs.writeFileSync(script, WORKLOAD);
    fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}');
    const node = process.execPath;
    const results = [
      time('node (no profiler)', [node, script], dir, runs),
      time('alloctrace run', [node, CLI, '--json', '--mode', 'allocated', script], dir, runs),
      time('alloctrace run --no-inlining', [node, CLI, '--json', '--mode', 'allocated', '--no-inlining', script], dir, runs),
      time('alloctrace run --exact-lines', [node, CLI, '--json', '--mode', 'allocated', '--exact-lines', script], dir, runs),
    ];
    const base = median(results[0]!.ms);
    for (const r of results) {
      const m = median(r.ms);
      const share = r.exactShare === null ? '' : `, exact line for ${(r.exactShare * 100).toFixed(0)} % of top-10 bytes`;
      console.log(`${r.label.padEnd(30)} ${m.toFixed(0).padStart(6)} ms  (x${(m / base).toFixed(2)})${share}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
