/** `compare --json`: documented shapes (docs/cli.md), the statistics rows plus differences. Pure. */
import type { StatisticDiff } from '../analyze/compare';
import type { CompareReportView, SeriesReportView, TraceLabel } from '../analyze/diff-report';
import type { SeriesSite } from '../analyze/series';
import { JSON_SCHEMA_VERSION, jsonLocation, type JsonStatistic } from './json';

export interface JsonStatisticDiff extends JsonStatistic {
  sizeDiff: number;
  countDiff: number;
  status: StatisticDiff['status'];
  /** Standard deviation of `sizeDiff` due to sampling, in bytes. */
  noise: number;
}

export interface JsonSeriesSite extends JsonStatisticDiff {
  /** Size estimate in each trace, in order. */
  sizes: number[];
  grewIn: number;
  steps: number;
  suspected: boolean;
}

type Omitted = CompareReportView['omitted'];
type Totals = CompareReportView['total'];

export interface JsonCompareReport {
  schema: 'alloctrace-compare';
  version: typeof JSON_SCHEMA_VERSION;
  groupBy: CompareReportView['groupBy'];
  cumulative: boolean;
  older: TraceLabel;
  newer: TraceLabel;
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
  traces: TraceLabel[];
  totals: number[];
  total: Totals;
  required: number;
  totalGrewIn: number;
  suspects: JsonSeriesSite[];
  stats: JsonSeriesSite[];
  omitted: Omitted;
  notes: string[];
}

export function jsonDiff(d: StatisticDiff): JsonStatisticDiff {
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
  };
}

function jsonSeriesSite(s: SeriesSite): JsonSeriesSite {
  return { ...jsonDiff(s), sizes: s.sizes, grewIn: s.grewIn, steps: s.steps, suspected: s.suspected };
}

export function renderCompareJson(report: CompareReportView): string {
  const out: JsonCompareReport = {
    schema: 'alloctrace-compare',
    version: JSON_SCHEMA_VERSION,
    groupBy: report.groupBy,
    cumulative: report.cumulative,
    older: report.older,
    newer: report.newer,
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
    traces: report.traces,
    totals: report.totals,
    total: report.total,
    required: report.required,
    totalGrewIn: report.totalGrewIn,
    suspects: report.suspects.map(jsonSeriesSite),
    stats: report.stats.map(jsonSeriesSite),
    omitted: report.omitted,
    notes: report.notes,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
