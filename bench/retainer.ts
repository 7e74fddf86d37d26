/**
 * 5. What keeping the entry's top-level scope costs (src/capture/scope-retain*.ts). A workload
 * whose top-level code runs hot loops over top-level variables (the worst case: the retainer's
 * direct eval puts every top-level variable in a context slot, where plain node keeps loop
 * variables in registers), as CommonJS and as an ES module, run four ways: plain node; plain node
 * on the source exactly as alloctrace rewrites it (the retainer's own cost, no sampling);
 * `node --heap-prof`; `alloctrace run`. Plus empty CommonJS and ES module entries (Node without
 * `module.registerHooks` starts a hooks thread for an ES module entry).
 */
import * as acorn from 'acorn';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { retainModuleScope, retainScriptScope } from '../src/capture/scope-retain-source';
import { CLI, REPO_ROOT } from './paths';
import { measureOk, processOf } from './proc';
import { formatSummary, pairedDifferences, pairedRatios, summarize, type Summary } from './stats';
import type { Row } from './report';

export interface RetainerOptions {
  quick: boolean;
  scratch: string;
  log: (line: string) => void;
}

/** Top-level code only: a counter and an accumulator in `let`s, rows in a `const`. */
const WORKLOAD = `const scale = Number(process.argv[2] ?? 1);
const n = Math.round(3e7 * scale);
let sum = 0;
let last = null;
const rows = [];
for (let i = 0; i < n; i++) {
  sum += i & 7;
  if ((i & 1023) === 0) { last = { i, sum }; rows.push(last); }
}
let acc = 0;
for (let i = 0; i < n; i++) acc = (acc + (i ^ sum)) | 0;
console.log(sum, rows.length, acc, last.i);
`;

type Variant = 'node' | 'node+retainer' | 'heap-prof@32k' | 'alloctrace@32k';
const VARIANTS: Variant[] = ['node', 'node+retainer', 'heap-prof@32k', 'alloctrace@32k'];

interface Runs {
  cpuMs: number[];
  wallMs: number[];
}

export interface RetainerResult {
  node: string;
  forms: Record<string, { placement: string; variants: Record<Variant, Runs & { summary: { cpuMs: Summary; wallMs: Summary } }> }>;
  empty: Record<string, { nodeCpuMs: number[]; alloctraceCpuMs: number[]; difference: Summary }>;
  rows: Row[];
}

function pct(s: Summary): string {
  return formatSummary({ ...s, median: (s.median - 1) * 100, min: (s.min - 1) * 100, max: (s.max - 1) * 100 }, 1, '%');
}

export async function benchRetainer(options: RetainerOptions): Promise<RetainerResult> {
  const { quick, scratch, log } = options;
  const dir = path.join(scratch, 'retainer');
  fs.mkdirSync(dir, { recursive: true });
  const heapDir = path.join(dir, 'heap-prof');
  const reps = quick ? 2 : 5;
  const scale = quick ? 0.3 : 1;
  const script = retainScriptScope(WORKLOAD, () => acorn);
  // All on one line (a minified bundle): the retainer goes after it, and alloctrace arms the debugger.
  const oneLine = WORKLOAD.replace(/\n(?!$)/g, ' ');
  const late = retainScriptScope(oneLine, () => acorn);
  const files = {
    cjs: { plain: path.join(dir, 'toplevel.cjs'), retained: path.join(dir, 'toplevel-retained.cjs'), source: WORKLOAD, text: script.source, placement: script.at },
    'cjs-one-line': { plain: path.join(dir, 'oneline.cjs'), retained: path.join(dir, 'oneline-retained.cjs'), source: oneLine, text: late.source, placement: late.at },
    esm: { plain: path.join(dir, 'toplevel.mjs'), retained: path.join(dir, 'toplevel-retained.mjs'), source: WORKLOAD, text: retainModuleScope(WORKLOAD), placement: 'after the last line' },
  };
  const result: RetainerResult = { node: process.version, forms: {}, empty: {}, rows: [] };
  for (const [form, f] of Object.entries(files)) {
    fs.writeFileSync(f.plain, f.source);
    fs.writeFileSync(f.retained, f.text);
    const runs = Object.fromEntries(VARIANTS.map((v) => [v, { cpuMs: [] as number[], wallMs: [] as number[] }])) as Record<Variant, Runs>;
    const command = (v: Variant): { args: string[]; script: string } => {
      switch (v) {
        case 'node':
          return { args: [f.plain, String(scale)], script: f.plain };
        case 'node+retainer':
          return { args: [f.retained, String(scale)], script: f.retained };
        case 'heap-prof@32k':
          return { args: ['--heap-prof', '--heap-prof-interval=32768', `--heap-prof-dir=${heapDir}`, f.plain, String(scale)], script: f.plain };
        case 'alloctrace@32k':
          return { args: [CLI, 'run', '--force', '-o', path.join(dir, 'run.trace'), f.plain, String(scale)], script: f.plain };
      }
    };
    for (let round = 0; round < reps; round++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(k + round) % VARIANTS.length]!;
        const { args, script: traced } = command(v);
        fs.rmSync(heapDir, { recursive: true, force: true });
        const measured = await measureOk(process.execPath, args, { scratch, cwd: REPO_ROOT });
        const program = processOf(measured, traced);
        if (program === undefined) throw new Error(`no probe record for ${traced}`);
        runs[v].cpuMs.push(program.cpuUserMs + program.cpuSystemMs);
        runs[v].wallMs.push(measured.wallMs);
      }
    }
    log(`  retainer ${form}: ${reps} rounds × ${VARIANTS.length} variants`);
    result.forms[form] = {
      placement: f.placement,
      variants: Object.fromEntries(VARIANTS.map((v) => [v, { ...runs[v], summary: { cpuMs: summarize(runs[v].cpuMs), wallMs: summarize(runs[v].wallMs) } }])) as RetainerResult['forms'][string]['variants'],
    };
    const node = runs['node'];
    const section = 'retainer';
    const name = `${form === 'cjs' ? 'CommonJS' : form === 'esm' ? 'ES module' : 'one-line CommonJS (debugger armed)'} top-level loops`;
    result.rows.push({ section, what: `${name}: node on the retained source, CPU vs node (${process.version})`, value: pct(pairedRatios(runs['node+retainer'].cpuMs, node.cpuMs)), target: '', verdict: 'info' });
    result.rows.push({ section, what: `${name}: alloctrace@32k CPU vs node`, value: pct(pairedRatios(runs['alloctrace@32k'].cpuMs, node.cpuMs)), target: '', verdict: 'info' });
    result.rows.push({ section, what: `${name}: alloctrace@32k CPU vs --heap-prof@32k`, value: pct(pairedRatios(runs['alloctrace@32k'].cpuMs, runs['heap-prof@32k'].cpuMs)), target: '', verdict: 'info' });
  }

  // Empty entries: the start-up of the entry hook (a hooks thread for an ES module where Node lacks registerHooks).
  for (const ext of ['cjs', 'mjs'] as const) {
    const empty = path.join(dir, `empty.${ext}`);
    fs.writeFileSync(empty, '');
    const cpu = { node: [] as number[], alloctrace: [] as number[] };
    for (let round = 0; round < (quick ? 3 : 8); round++) {
      for (const traced of round % 2 === 0 ? [false, true] : [true, false]) {
        const args = traced ? [CLI, 'run', '--force', '-o', path.join(dir, 'empty.trace'), empty] : [empty];
        const measured = await measureOk(process.execPath, args, { scratch, cwd: REPO_ROOT });
        const program = processOf(measured, empty);
        if (program === undefined) throw new Error(`no probe record for ${empty}`);
        (traced ? cpu.alloctrace : cpu.node).push(program.cpuUserMs + program.cpuSystemMs);
      }
    }
    const difference = pairedDifferences(cpu.alloctrace, cpu.node);
    result.empty[ext] = { nodeCpuMs: cpu.node, alloctraceCpuMs: cpu.alloctrace, difference };
    result.rows.push({ section: 'retainer', what: `empty ${ext === 'mjs' ? 'ES module' : 'CommonJS'} entry: traced process CPU − node CPU (${process.version})`, value: formatSummary(difference, 0, ' ms'), target: '', verdict: 'info' });
  }
  return result;
}
