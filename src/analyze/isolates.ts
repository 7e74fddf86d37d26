/** Per-isolate totals of a merged trace (worker threads, child processes), for the report footer. Pure. */
import type { TraceFile } from '../trace/format';
import { threadLabel, threadOfSample, threadsOf } from '../trace/merge';

export interface IsolateTotal {
  label: string;
  pid: number | null;
  thread: number;
  name: string;
  /** The process's command line, short: `kid.js a`. */
  command: string;
  size: number;
  samples: number;
}

function shortCommand(argv: readonly string[]): string {
  const [script, ...args] = argv;
  if (script === undefined) return '';
  const text = [script.split(/[\\/]/).pop() ?? script, ...args].join(' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One entry per isolate holding samples, largest first; `[]` for a single-isolate trace. */
export function isolateTotals(trace: TraceFile): IsolateTotal[] {
  const threads = threadsOf(trace);
  if (threads.length < 2) return [];
  const multiProcess = new Set(threads.map((t) => t.pid)).size > 1;
  const totals = threads.map((t) => ({
    label: threadLabel(t),
    pid: t.pid,
    thread: t.id,
    name: t.name,
    command: multiProcess && t.id === 0 ? shortCommand(t.argv) : '',
    size: 0,
    samples: 0,
  }));
  for (let i = 0; i < trace.samples.stack.length; i++) {
    const total = totals[threadOfSample(trace, i)];
    if (total === undefined) continue;
    total.size += trace.samples.size[i] ?? 0;
    total.samples += 1;
  }
  return totals.filter((t) => t.samples > 0).sort((a, b) => b.size - a.size || a.label.localeCompare(b.label));
}
