/** tracemalloc-style text for `compare`: a diff of two traces, or a series. Pure. */
import type { CompareReportView, SeriesReportView, TraceLabel } from '../analyze/diff-report';
import type { StatisticDiff } from '../analyze/compare';
import type { SeriesSite } from '../analyze/series';
import type { GroupBy } from '../analyze/statistics';
import { formatRowLocation, formatTraceback } from './text';
import { formatCount, formatInterval, formatSize } from './units';

const NOUNS: Record<GroupBy, [string, string]> = {
  lineno: ['line', 'lines'],
  filename: ['file', 'files'],
  function: ['function', 'functions'],
  traceback: ['traceback', 'tracebacks'],
};

/**
 * `src/a.ts:40 (in grow): size=48.1 MiB (+26.7 MiB), count=4.0 K (+2.0 K), average=12 KiB`;
 * `, new` or `, gone` when the site is in one trace only (tracemalloc's StatisticDiff line).
 */
export function formatStatisticDiffLine(diff: Pick<StatisticDiff, 'location' | 'via' | 'size' | 'sizeDiff' | 'count' | 'countDiff' | 'status'>): string {
  const average = diff.count > 0 ? `, average=${formatSize(diff.size / diff.count)}` : '';
  const status = diff.status === 'new' ? ', new' : diff.status === 'gone' ? ', gone' : '';
  return (
    `${formatRowLocation(diff.location, diff.via)}: size=${formatSize(diff.size)} (${formatSize(diff.sizeDiff, true)}), ` +
    `count=${formatCount(diff.count)} (${formatCount(diff.countDiff, true)})${average}${status}`
  );
}

/** A series row: the diff line first → last, and in how many intervals it grew. */
export function formatSeriesLine(site: Pick<SeriesSite, 'location' | 'via' | 'size' | 'sizeDiff' | 'count' | 'countDiff' | 'status' | 'grewIn' | 'steps'>): string {
  return `${formatStatisticDiffLine(site)}, grew in ${site.grewIn} of ${site.steps} intervals`;
}

function what(mode: TraceLabel['mode']): string {
  return mode === 'live' ? 'live memory' : mode === 'allocated' ? 'all allocations' : 'sampled memory';
}

function sampling(labels: readonly TraceLabel[]): string {
  const intervals = [...new Set(labels.map((l) => l.interval))];
  if (intervals.length > 1) return 'sampling intervals differ';
  const interval = intervals[0] ?? null;
  return interval === null ? 'interval unknown' : `sampled every ${formatInterval(interval)}`;
}

function omittedLine(omitted: CompareReportView['omitted'], groupBy: GroupBy): string | null {
  if (omitted.rows === 0) return null;
  const [one, many] = NOUNS[groupBy];
  return (
    `${omitted.rows} other ${omitted.rows === 1 ? one : many}: size=${formatSize(omitted.size)} (${formatSize(omitted.sizeDiff, true)}), ` +
    `count=${formatCount(omitted.count)} (${formatCount(omitted.countDiff, true)})`
  );
}

function notesBlock(notes: readonly string[]): string[] {
  return notes.length === 0 ? [] : ['', ...notes.map((n) => `Note: ${n}`)];
}

export function renderCompareText(report: CompareReportView): string {
  const { stats, total, groupBy, older, newer } = report;
  const [one, many] = NOUNS[groupBy];
  const modes = older.mode === newer.mode ? what(newer.mode) : `${what(older.mode)} → ${what(newer.mode)}`;
  const lines = [
    `Top ${stats.length} ${stats.length === 1 ? one : many} by difference, ${older.name} → ${newer.name} ` +
      `(${modes}${report.cumulative ? ', cumulative' : ''}; ${sampling([older, newer])}; ` +
      `est. ${formatSize(total.size)} (${formatSize(total.sizeDiff, true)}), count=${formatCount(total.count)} (${formatCount(total.countDiff, true)}))`,
  ];
  for (const diff of stats) {
    lines.push(formatStatisticDiffLine(diff));
    if (groupBy === 'traceback') lines.push(...formatTraceback(diff.traceback));
  }
  if (stats.length === 0) lines.push('(no samples in either trace)');
  const omitted = omittedLine(report.omitted, groupBy);
  if (omitted !== null) lines.push(omitted);
  lines.push(...notesBlock(report.notes));
  return `${lines.join('\n')}\n`;
}

export function renderSeriesText(report: SeriesReportView): string {
  const { traces, groupBy, suspects, stats } = report;
  const [, many] = NOUNS[groupBy];
  const first = traces[0]!;
  const last = traces[traces.length - 1]!;
  const steps = traces.length - 1;
  const totals = report.totals.map((t) => formatSize(t)).join(' → ');
  const lines = [
    `Series of ${traces.length} traces, ${first.name} → ${last.name} (${what(last.mode)}${report.cumulative ? ', cumulative' : ''}; ${sampling(traces)}; est. ${totals})`,
  ];
  if (suspects.length === 0) {
    lines.push(`No suspected leaks: no ${NOUNS[groupBy][0]} grew in ${report.required === steps ? 'every one' : `${report.required} or more`} of the ${steps} intervals.`);
    if (report.totalGrewIn >= report.required && steps >= 2) {
      // Seen on hot code: inlining moves a leak's new allocations to its caller mid-run.
      lines.push(
        `But the total grew in ${report.totalGrewIn} of ${steps}: growth spread over several rows. When V8 optimizes hot code, ` +
          'inlining moves new allocations from a function to its caller; try --cumulative --group-by function.',
      );
    }
  } else {
    lines.push(`Suspected leaks: ${suspects.length} ${suspects.length === 1 ? NOUNS[groupBy][0] : many} grew in ${report.required === steps ? 'every interval' : `${report.required} or more of ${steps} intervals`}, by growth first → last`);
    for (const site of suspects) {
      lines.push(formatSeriesLine(site));
      if (groupBy === 'traceback') lines.push(...formatTraceback(site.traceback));
    }
  }
  lines.push('', `Top ${stats.length} other ${many} by difference first → last`);
  for (const site of stats) {
    lines.push(formatSeriesLine(site));
    if (groupBy === 'traceback') lines.push(...formatTraceback(site.traceback));
  }
  const omitted = omittedLine(report.omitted, groupBy);
  if (omitted !== null) lines.push(omitted);
  lines.push(...notesBlock(report.notes));
  return `${lines.join('\n')}\n`;
}
