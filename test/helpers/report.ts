/** Reading the `--json` report out of a run's stderr (the program may have written there too). */
import assert from 'node:assert/strict';
import type { JsonStatistic, JsonStatisticsReport } from '../../src/report/json';

export function reportOf(stderr: string): JsonStatisticsReport {
  const start = stderr.lastIndexOf('{\n  "schema"');
  assert.ok(start >= 0, `no JSON report in:\n${stderr}`);
  return JSON.parse(stderr.slice(start)) as JsonStatisticsReport;
}

/** The row charged to function `name`, or a failed assertion listing the rows. */
export function rowOf(report: JsonStatisticsReport, name: string): JsonStatistic {
  const row = report.stats.find((s) => s.function === name);
  assert.ok(row !== undefined, `no row for ${name}: ${report.stats.map((s) => `${s.function}@${s.file}:${s.line}`).join(', ')}`);
  return row;
}
