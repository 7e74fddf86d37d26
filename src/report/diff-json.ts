/** `compare --json`: documented shapes (docs/cli.md), the statistics rows plus differences. Pure. */
import type { StatisticDiffRow } from '../analyze/compare';
import type { CompareReportView, SeriesReportView, TraceLabel } from '../analyze/diff-report';
import type { SeriesSite } from '../analyze/series';
import { JSON_SCHEMA_VERSION, jsonLocation, type JsonStatistic } from './json';

/** A compared trace as the JSON report names it: its own type, so a change in analyze/ cannot change the JSON silently. */
export interface JsonTraceLabel {
  name: string;
  mode: 'live' | 'allocated' | null;
  interval: number | null;
  reason: 'exit' | 'signal' | 'interval' | 'api' | 'import' | 'peak' | 'heap-limit';
  sequence: number;
  pid: number | null;
  time: string | null;
}

function jsonLabel(l: TraceLabel): JsonTraceLabel {
  return { name: l.name, mode: l.mode, interval: l.interval, reason: l.reason, sequence: l.sequence, pid: l.pid, time: l.time };
}

export interface JsonStatisticDiff extends Omit<JsonStatistic, 'kinds'> {
  /** Object traces only: which kinds of objects the change is made of, largest change first. */
  kinds?: Array<{ kind: string; size: number; sizeDiff: number; countDiff: number; external: boolean }>;
  sizeDiff: number;
  countDiff: number;
  status: StatisticDiffRow['status'];
  /** Standard deviation of `sizeDiff` due to sampling, in bytes. */
  noise: number;
  /** `true` when `sizeDiff` is beyond twice its noise. */
  significant: boolean;
}

export interface JsonSeriesSite extends JsonStatisticDiff {
  /** Size estimate in each trace, in order. */
  sizes: number[];
  grewIn: number;
  shrankIn: number;
  steps: number;
  suspected: boolean;
  /** Why it is suspected (docs/cli.md, "Series"), or null. */
  verdict: SeriesSite['verdict'];
}

export interface JsonFunctionSuspect extends JsonSeriesSite {
  /** Rows within the function that grew first → last, largest first. */
  parts: JsonSeriesSite[];
}

type Omitted = CompareReportView['omitted'];
type Totals = CompareReportView['total'];

export interface JsonCompareReport {
  schema: 'alloctrace-compare';
  version: typeof JSON_SCHEMA_VERSION;
  groupBy: CompareReportView['groupBy'];
  cumulative: boolean;
  older: JsonTraceLabel;
  newer: JsonTraceLabel;
  total: Totals;
  stats: JsonStatisticDiff[];
  omitted: Omitted;
  notes: string[];
}

export interface JsonSeriesReport {
  schema: 'alloctrace-series';
  version: typeof JSON_SCHEMA_VERSION;
  groupBy: SeriesReportView['groupBy'];
  cumulative: boolean;
  traces: JsonTraceLabel[];
  totals: number[];
  total: Totals;
  required: number;
  requiredStepwise: number;
  totalGrewIn: number;
  suspects: JsonSeriesSite[];
  functionSuspects: JsonFunctionSuspect[];
  stats: JsonSeriesSite[];
  omitted: Omitted;
  notes: string[];
}

export function jsonDiff(d: StatisticDiffRow): JsonStatisticDiff {
  return {
    ...jsonLocation(d.location),
    via: d.via,
    size: d.size,
    count: d.count,
    samples: d.samples,
    traceback: d.traceback.map(jsonLocation),
    sizeDiff: d.sizeDiff,
    countDiff: d.countDiff,
    status: d.status,
    noise: Math.round(d.noise),
    significant: d.significant,
    ...(d.kinds === undefined ? {} : { kinds: d.kinds.map(({ kind, size, sizeDiff, countDiff, external }) => ({ kind, size, sizeDiff, countDiff, external })) }),
  };
}

function jsonSeriesSite(s: SeriesSite): JsonSeriesSite {
  return { ...jsonDiff(s), sizes: s.sizes, grewIn: s.grewIn, shrankIn: s.shrankIn, steps: s.steps, suspected: s.suspected, verdict: s.verdict };
}

export function renderCompareJson(report: CompareReportView): string {
  const out: JsonCompareReport = {
    schema: 'alloctrace-compare',
    version: JSON_SCHEMA_VERSION,
    groupBy: report.groupBy,
    cumulative: report.cumulative,
    older: jsonLabel(report.older),
    newer: jsonLabel(report.newer),
    total: report.total,
    stats: report.stats.map(jsonDiff),
    omitted: report.omitted,
    notes: report.notes,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

export function renderSeriesJson(report: SeriesReportView): string {
  const out: JsonSeriesReport = {
    schema: 'alloctrace-series',
    version: JSON_SCHEMA_VERSION,
    groupBy: report.groupBy,
    cumulative: report.cumulative,
    traces: report.traces.map(jsonLabel),
    totals: report.totals,
    total: report.total,
    required: report.required,
    requiredStepwise: report.requiredStepwise,
    totalGrewIn: report.totalGrewIn,
    suspects: report.suspects.map(jsonSeriesSite),
    functionSuspects: report.functionSuspects.map((f) => ({ ...jsonSeriesSite(f.site), parts: f.parts.map(jsonSeriesSite) })),
    stats: report.stats.map(jsonSeriesSite),
    omitted: report.omitted,
    notes: report.notes,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
