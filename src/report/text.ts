/** tracemalloc-style text. Pure: report objects in, a string out. */
import { TOP_LEVEL, type Location } from '../analyze/location';
import type { Measure, StatisticsReportView } from '../analyze/report';
import type { GroupBy, Statistic } from '../analyze/statistics';
import { formatCount, formatInterval, formatSize } from './units';

const NOUNS: Record<GroupBy, [string, string]> = {
  lineno: ['line', 'lines'],
  filename: ['file', 'files'],
  function: ['function', 'functions'],
  traceback: ['traceback', 'tracebacks'],
};

export function describeMeasure(measure: Measure): string {
  const what = measure.mode === 'live' ? 'live memory' : measure.mode === 'allocated' ? 'all allocations' : 'sampled memory';
  const when: Record<Measure['reason'], string> = {
    exit: 'at exit',
    signal: 'when signalled',
    interval: `at snapshot ${measure.sequence}`,
    api: 'at snapshot',
    import: 'from an imported profile',
  };
  return `${what} ${when[measure.reason]}`;
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
  return extras.length > 0 ? `${head} (${extras.join(', ')})` : head;
}

export function formatStatisticLine(stat: Pick<Statistic, 'location' | 'via' | 'size' | 'count'>): string {
  const average = stat.count > 0 ? `, average=${formatSize(stat.size / stat.count)}` : '';
  return `${formatRowLocation(stat.location, stat.via)}: size=${formatSize(stat.size)}, count=${formatCount(stat.count)}${average}`;
}

export function formatTraceback(traceback: readonly Location[], indent = '    '): string[] {
  return traceback.map((l) => `${indent}${formatRowLocation(l, null)}`);
}

export function renderStatisticsText(report: StatisticsReportView): string {
  const { measure, total, stats, omitted, groupBy } = report;
  const [one, many] = NOUNS[groupBy];
  const interval = measure.interval === null ? 'interval unknown' : `sampled every ${formatInterval(measure.interval)}`;
  const lines = [
    `Top ${stats.length} ${stats.length === 1 ? one : many} (${describeMeasure(measure)}; ${interval}; ${formatCount(total.samples)} samples, est. ${formatSize(total.size)})`,
  ];
  for (const stat of stats) {
    lines.push(formatStatisticLine(stat));
    if (groupBy === 'traceback') lines.push(...formatTraceback(stat.traceback));
  }
  if (stats.length === 0) lines.push('(no samples: nothing sampled was alive)');
  if (omitted.rows > 0) {
    lines.push(`${omitted.rows} other ${omitted.rows === 1 ? one : many}: size=${formatSize(omitted.size)}, count=${formatCount(omitted.count)}`);
  }
  if (report.notes.length > 0) {
    lines.push('');
    for (const note of report.notes) lines.push(`Note: ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
