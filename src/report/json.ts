/** The `--json` output: a documented, stable shape (docs/cli.md). Pure. */
import type { Location } from '../analyze/location';
import type { StatisticsReportView } from '../analyze/report';

export const JSON_SCHEMA_VERSION = 1;

export interface JsonLocation {
  file: string | null;
  line: number | null;
  column: number | null;
  function: string;
  precision: Location['precision'];
  origin: Location['origin'];
  candidates?: number[];
  generated?: { file: string; line: number; column: number };
}

export interface JsonStatistic extends JsonLocation {
  via: string | null;
  size: number;
  count: number;
  samples: number;
  /** Innermost frame first. */
  traceback: JsonLocation[];
  /** Object traces only: the row's kinds of objects, largest first (`share`: of the row's size, 0–1). */
  kinds?: Array<{ kind: string; size: number; count: number; share: number; external: boolean }>;
}

export interface JsonStatisticsReport {
  schema: 'alloctrace-statistics';
  version: typeof JSON_SCHEMA_VERSION;
  groupBy: StatisticsReportView['groupBy'];
  measure: StatisticsReportView['measure'];
  total: { size: number; count: number; samples: number };
  stats: JsonStatistic[];
  omitted: { rows: number; size: number; count: number };
  notes: string[];
  /** When threads or processes were merged: each one's estimated bytes, largest first. */
  isolates?: Array<{ pid: number | null; thread: number; name: string; command: string; size: number; samples: number }>;
}

export function jsonLocation(l: Location): JsonLocation {
  const out: JsonLocation = {
    file: l.file,
    line: l.line,
    column: l.column,
    function: l.function,
    precision: l.precision,
    origin: l.origin,
  };
  if (l.candidates !== undefined) out.candidates = l.candidates;
  if (l.generated !== undefined) out.generated = l.generated;
  return out;
}

export function statisticsToJson(report: StatisticsReportView): JsonStatisticsReport {
  return {
    schema: 'alloctrace-statistics',
    version: JSON_SCHEMA_VERSION,
    groupBy: report.groupBy,
    measure: report.measure,
    total: report.total,
    stats: report.stats.map((s) => ({
      ...jsonLocation(s.location),
      via: s.via,
      size: s.size,
      count: s.count,
      samples: s.samples,
      traceback: s.traceback.map(jsonLocation),
      ...(s.kinds === undefined ? {} : { kinds: s.kinds.map(({ kind, size, count, share, external }) => ({ kind, size, count, share, external })) }),
    })),
    omitted: report.omitted,
    notes: report.notes,
    ...(report.isolates === undefined ? {} : { isolates: report.isolates.map(({ pid, thread, name, command, size, samples }) => ({ pid, thread, name, command, size, samples })) }),
  };
}

export function renderStatisticsJson(report: StatisticsReportView): string {
  return `${JSON.stringify(statisticsToJson(report), null, 2)}\n`;
}
