/** tracemalloc-style text for `compare`: a diff of two traces, or a series. Pure. */
import type { CompareReportView, SeriesReportView, TraceLabel } from '../analyze/diff-report';
import type { StatisticDiffRow } from '../analyze/compare';
import type { SeriesSite } from '../analyze/series';
import type { FunctionSuspect } from '../analyze/moved-leaks';
import type { GroupBy } from '../analyze/statistics';
import { formatRowLocation, formatTraceback } from './text';
import { escapeControl } from './escape';
import { formatCount, formatInterval, formatSize } from '../units';

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
export function formatStatisticDiffLine(diff: Pick<StatisticDiffRow, 'location' | 'via' | 'size' | 'sizeDiff' | 'count' | 'countDiff' | 'status'>, exact = false): string {
  const average = diff.count > 0 ? `, average=${formatSize(diff.size / diff.count)}` : '';
  const status = diff.status === 'new' ? ', new' : diff.status === 'gone' ? ', gone' : '';
  // Object traces count objects: exact numbers, not one significant digit.
  const count = exact ? `${diff.count} (${diff.countDiff >= 0 ? '+' : ''}${diff.countDiff})` : `${formatCount(diff.count)} (${formatCount(diff.countDiff, true)})`;
  return `${formatRowLocation(diff.location, diff.via)}: size=${formatSize(diff.size)} (${formatSize(diff.sizeDiff, true)}), count=${count}${average}${status}`;
}

/** A series row: the diff line first → last, and in how many intervals it grew (and shrank). */
export function formatSeriesLine(site: Pick<SeriesSite, 'location' | 'via' | 'size' | 'sizeDiff' | 'count' | 'countDiff' | 'status' | 'grewIn' | 'shrankIn' | 'steps'>): string {
  const shrank = site.shrankIn > 0 ? `, shrank in ${site.shrankIn}` : '';
  return `${formatStatisticDiffLine(site)}, grew in ${site.grewIn} of ${site.steps} intervals${shrank}`;
}

/** A two-trace row: the diff line, marked when the difference is within twice its sampling noise. */
export function formatCompareLine(diff: Pick<StatisticDiffRow, 'location' | 'via' | 'size' | 'sizeDiff' | 'count' | 'countDiff' | 'status' | 'noise' | 'significant'>, exact = false): string {
  const line = formatStatisticDiffLine(diff, exact);
  return diff.significant || diff.sizeDiff === 0 ? line : `${line}, within noise (±${formatSize(2 * diff.noise)})`;
}

/** `src/a.ts:3 (in f)` → `src/a.ts:3 (in f, with callees)`: a row counted with its callees. */
export function withCalleesLabel(row: string): string {
  return row.endsWith(')') ? `${row.slice(0, -1)}, with callees)` : `${row} (with callees)`;
}

/** A function suspected with its callees, and the rows its growth is made of. */
function formatFunctionSuspect(suspect: FunctionSuspect): string[] {
  const parts = suspect.parts.map((p) => `${formatRowLocation(p.location, p.via)} ${formatSize(p.sizeDiff, true)}`);
  const line = formatSeriesLine(suspect.site);
  const at = line.indexOf(': size=');
  return [`${withCalleesLabel(line.slice(0, at))}${line.slice(at)}`, ...(parts.length > 0 ? [`    made of: ${parts.join('; ')}`] : [])];
}

function what(mode: TraceLabel['mode'], objects = false): string {
  if (objects) return 'live objects';
  return mode === 'live' ? 'live memory' : mode === 'allocated' ? 'all allocations' : 'sampled memory';
}

function sampling(labels: readonly TraceLabel[]): string {
  if (labels.every((l) => l.objects !== undefined)) return 'heap snapshots, exact';
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
  return notes.length === 0 ? [] : ['', ...notes.map((n) => `Note: ${escapeControl(n)}`)];
}

export function renderCompareText(report: CompareReportView): string {
  const { stats, total, groupBy, older, newer } = report;
  const [one, many] = NOUNS[groupBy];
  const objects = older.objects !== undefined && newer.objects !== undefined;
  const modes = older.mode === newer.mode ? what(newer.mode, objects) : `${what(older.mode)} → ${what(newer.mode)}`;
  const lines = [
    `Top ${stats.length} ${stats.length === 1 ? one : many} by difference, ${escapeControl(older.name)} → ${escapeControl(newer.name)} ` +
      `(${modes}${report.cumulative ? ', cumulative' : ''}; ${sampling([older, newer])}; ` +
      (objects
        ? `${formatSize(total.size)} (${formatSize(total.sizeDiff, true)}), count=${total.count} (${total.countDiff >= 0 ? '+' : ''}${total.countDiff}))`
        : `est. ${formatSize(total.size)} (${formatSize(total.sizeDiff, true)}), count=${formatCount(total.count)} (${formatCount(total.countDiff, true)}))`),
  ];
  for (const diff of stats) {
    lines.push(formatCompareLine(diff, objects));
    if (diff.kinds !== undefined && diff.kinds.length > 0) lines.push(`    ${escapeControl(diff.kinds.map((k) => `${k.kind} ${formatSize(k.sizeDiff, true)}`).join(', '))}`);
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
    `Series of ${traces.length} traces, ${escapeControl(first.name)} → ${escapeControl(last.name)} (${what(last.mode)}${report.cumulative ? ', cumulative' : ''}; ${sampling(traces)}; est. ${totals})`,
  ];
  const rule = `grew in ${report.required === steps ? 'every interval' : `${report.required} or more of ${steps} intervals`}, or in ${report.requiredStepwise} or more without giving memory back`;
  if (suspects.length === 0 && report.functionSuspects.length === 0) {
    lines.push(`No suspected leaks: no ${NOUNS[groupBy][0]} ${rule}.`);
    if (report.totalGrewIn >= report.required && steps >= 2) {
      // Seen on hot code: inlining moves a leak's new allocations to its caller mid-run.
      lines.push(
        `But the total grew in ${report.totalGrewIn} of ${steps}: growth spread over several rows. When V8 optimizes hot code, ` +
          'inlining moves new allocations from a function to its caller; try --cumulative --group-by function.',
      );
    }
  } else if (suspects.length > 0) {
    lines.push(`Suspected leaks: ${suspects.length} ${suspects.length === 1 ? NOUNS[groupBy][0] : many} ${rule}, by growth first → last`);
    for (const site of suspects) {
      lines.push(formatSeriesLine(site));
      if (groupBy === 'traceback') lines.push(...formatTraceback(site.traceback));
    }
  }
  if (report.functionSuspects.length > 0) {
    const n = report.functionSuspects.length;
    if (suspects.length > 0) lines.push('');
    lines.push(
      `Suspected leaks by function, counted with callees: ${n} ${n === 1 ? 'function' : 'functions'} ${rule}, beyond what suspected rows explain ` +
        '(V8 moves bytes between rows as it inlines hot code)',
    );
    for (const suspect of report.functionSuspects) lines.push(...formatFunctionSuspect(suspect));
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
