/** tracemalloc-style text. Pure: report objects in, a string out. */
import { TOP_LEVEL, type Location } from '../analyze/location';
import type { Measure, StatisticsReportView } from '../analyze/report';
import type { KindShare } from '../analyze/kinds';
import type { GroupBy, StatisticRow } from '../analyze/statistics';
import { escapeControl } from './escape';
import { formatCount, formatInterval, formatNumber, formatSize } from '../units';

const NOUNS: Record<GroupBy, [string, string]> = {
  lineno: ['line', 'lines'],
  filename: ['file', 'files'],
  function: ['function', 'functions'],
  traceback: ['traceback', 'tracebacks'],
};

export function describeMeasure(measure: Measure): string {
  const what = measure.objects !== undefined ? 'live objects' : measure.mode === 'live' ? 'live memory' : measure.mode === 'allocated' ? 'all allocations' : 'sampled memory';
  const when: Record<Measure['reason'], string> = {
    exit: 'at exit',
    signal: 'when signalled',
    interval: `at snapshot ${measure.sequence}`,
    api: 'at snapshot',
    import: 'from an imported profile',
    peak: 'at the peak',
    'heap-limit': 'near the heap limit',
  };
  const at = measure.objects !== undefined && measure.reason === 'import' ? 'from an imported heap snapshot' : when[measure.reason];
  return `${what} ${at}${describeHeap(measure)}`;
}

/** ` (V8 heap 61.2 MiB at 0.8 s; 5.1 MiB at the end)` for peak and near-limit traces. */
function describeHeap(measure: Measure): string {
  const heap = measure.heap;
  if (heap === undefined) return '';
  const at = measure.elapsedMs == null ? '' : ` at ${(measure.elapsedMs / 1000).toFixed(1)} s`;
  const parts = [`V8 heap ${formatSize(heap.used)}${at}`];
  if (measure.reason === 'heap-limit') parts.push(`limit ${formatSize(heap.limit)}`);
  if (heap.endUsed !== null) parts.push(heap.endUsed === heap.used && measure.reason === 'peak' ? 'the end was the peak' : `${formatSize(heap.endUsed)} at the end`);
  return ` (${parts.join('; ')})`;
}

/**
 * `src/a.ts:44 (grow, via repeat)` (exact line), `src/a.ts:40 (in grow, lines 44|47)` (one of
 * those lines; 40 is where grow starts), `src/a.ts:40 (in grow)` (function start only),
 * `src/a.ts (top level)`, `repeat (builtin)`.
 */
export function formatRowLocation(location: Location, via: string | null): string {
  const extras: string[] = [];
  let head: string;
  switch (location.precision) {
    case 'exact':
      // `(f)`, not `(in f)`: the line itself is proven; `(in f)` marks a function's start.
      head = `${location.file}:${location.line}`;
      // `(anonymous)`, `<instance_members_initializer>` and the like are names already.
      extras.push(location.function === TOP_LEVEL ? 'top level' : location.function.replace(/^\((.*)\)$/, '$1'));
      break;
    case 'candidates':
      head = location.line === null ? `${location.file}` : `${location.file}:${location.line}`;
      extras.push(location.function === TOP_LEVEL ? 'top level' : `in ${location.function}`);
      if (location.candidates !== undefined) extras.push(`lines ${location.candidates.join('|')}`);
      break;
    case 'function':
      head = `${location.file}:${location.line}`;
      extras.push(`in ${location.function}`);
      break;
    case 'file':
      head = location.file ?? location.function;
      if (location.function !== '' && location.line === null && location.function.startsWith('(')) extras.push(location.function.slice(1, -1));
      break;
    case 'none':
      head = location.file ?? location.function;
      if (location.file !== null) extras.push(`in ${location.function}`);
      else if (location.origin === 'builtin') extras.push('builtin');
      break;
  }
  if (via !== null) extras.push(`via ${via}`);
  // Names and paths come from the trace: a newline or an escape sequence in one must not forge a row.
  return escapeControl(extras.length > 0 ? `${head} (${extras.join(', ')})` : head);
}

export function formatStatisticLine(stat: Pick<StatisticRow, 'location' | 'via' | 'size' | 'count'>, exact = false): string {
  const average = stat.count > 0 ? `, average=${formatSize(stat.size / stat.count)}` : '';
  const count = exact ? String(stat.count) : formatCount(stat.count);
  return `${formatRowLocation(stat.location, stat.via)}: size=${formatSize(stat.size)}, count=${count}${average}`;
}

/** An object trace row's kinds: `Array 61%, Order 30%, string 9%`. */
export function formatKindMix(kinds: readonly KindShare[]): string {
  return escapeControl(kinds.map((k) => `${k.kind} ${formatShare(k.share)}`).join(', '));
}

/** `61%`, `0.4%`, `<0.1%`. */
export function formatShare(share: number): string {
  const pct = share * 100;
  if (pct > 0 && pct < 0.1) return '<0.1%';
  return pct < 9.95 && Math.abs(pct - Math.round(pct)) >= 0.05 ? `${pct.toFixed(1)}%` : `${Math.round(pct)}%`;
}

/** What an object trace is, for headers: `heap snapshot, objects at their allocating stacks`. */
export function describeObjects(objects: NonNullable<Measure['objects']>): string {
  return objects === 'tracked' ? 'heap snapshot, objects at their allocating stacks' : 'heap snapshot census, no stacks';
}

export function formatTraceback(traceback: readonly Location[], indent = '    '): string[] {
  return traceback.map((l) => `${indent}${formatRowLocation(l, null)}`);
}

export function renderStatisticsText(report: StatisticsReportView): string {
  const { measure, total, stats, omitted, groupBy } = report;
  const [one, many] = NOUNS[groupBy];
  const exact = measure.objects !== undefined;
  const interval = exact ? describeObjects(measure.objects!) : measure.interval === null ? 'interval unknown' : `sampled every ${formatInterval(measure.interval)}`;
  const amount = exact ? `${total.count} objects, ${formatSize(total.size)}` : `${formatNumber(total.samples)} samples, est. ${formatSize(total.size)}`;
  const lines = [`Top ${stats.length} ${stats.length === 1 ? one : many} (${describeMeasure(measure)}; ${interval}; ${amount})`];
  for (const stat of stats) {
    lines.push(formatStatisticLine(stat, exact));
    if (stat.kinds !== undefined && stat.kinds.length > 0) lines.push(`    ${formatKindMix(stat.kinds)}`);
    if (groupBy === 'traceback') lines.push(...formatTraceback(stat.traceback));
  }
  if (stats.length === 0) lines.push('(no samples: nothing sampled was alive)');
  if (omitted.rows > 0) {
    lines.push(`${omitted.rows} other ${omitted.rows === 1 ? one : many}: size=${formatSize(omitted.size)}, count=${exact ? String(omitted.count) : formatCount(omitted.count)}`);
  }
  if (report.notes.length > 0) {
    lines.push('');
    for (const note of report.notes) lines.push(`Note: ${escapeControl(note)}`);
  }
  return `${lines.join('\n')}\n`;
}
