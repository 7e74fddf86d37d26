/**
 * `--html <file>` for run, show and compare: renders the report as one self-contained page
 * (src/report/html/) and writes it. The only I/O the page needs, the text of the source lines it
 * shows, is read here: from the map's `sourcesContent` is not kept in traces, so from the files
 * under the project root, bounded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompareReportView, SeriesReportView } from '../analyze/diff-report';
import type { Location } from '../analyze/location';
import type { StatisticsReportView } from '../analyze/report';
import { AlloctraceError, describeError } from '../errors';
import { renderCompareHtml, renderSeriesHtml, renderStatisticsHtml, wantedSourceLines, type SourceLines } from '../report/html/page';
import type { TraceFile } from '../trace/format';
import { writeFileAtomic } from '../trace/write';
import type { CliIo } from './io';
import { checkOutputPath } from './output';

/** Source files read at most for one page, and the largest one read. */
const MAX_FILES = 200;
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** The text of the rows' lines, from files under `root` (user code only); missing files are skipped. */
export function readSourceLines(root: string | null, locations: readonly Location[]): SourceLines {
  const lines = new Map<string, string>();
  if (root === null) return lines;
  const files = new Map<string, string[] | null>();
  for (const { file, line } of wantedSourceLines(locations)) {
    let text = files.get(file);
    if (text === undefined) {
      text = null;
      if (files.size < MAX_FILES) {
        try {
          const full = path.resolve(root, file);
          if (fs.statSync(full).size <= MAX_FILE_BYTES) text = fs.readFileSync(full, 'utf8').split(/\r?\n/);
        } catch {
          text = null;
        }
      }
      files.set(file, text);
    }
    const value = text?.[line - 1];
    if (value !== undefined) lines.set(`${file}:${line}`, value.length > 300 ? `${value.slice(0, 300)}…` : value);
  }
  return lines;
}

export function writeHtml(file: string, html: string, io: CliIo): void {
  const output = path.resolve(io.cwd, file);
  // A report page is a view, not data: writing it again replaces it.
  checkOutputPath(output, true);
  try {
    writeFileAtomic(output, html, { overwrite: true });
  } catch (error) {
    throw new AlloctraceError('ERR_OUTPUT', `cannot write ${file}: ${describeError(error)}`);
  }
  io.writeErr(`alloctrace: wrote ${file} (${formatBytes(Buffer.byteLength(html))}; open it in a browser)\n`);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

export function statisticsPage(report: StatisticsReportView, trace: TraceFile, command: string): string {
  const sources = readSourceLines(trace.meta.root, report.stats.map((s) => s.location));
  return renderStatisticsHtml(report, trace, { command, sources });
}

export function comparePage(report: CompareReportView, older: TraceFile, newer: TraceFile, command: string): string {
  return renderCompareHtml(report, older, newer, { command, sources: readSourceLines(newer.meta.root, report.stats.map((s) => s.location)) });
}

export function seriesPage(report: SeriesReportView, first: TraceFile, last: TraceFile, command: string): string {
  const locations = [...report.suspects, ...report.stats].map((s) => s.location);
  return renderSeriesHtml(report, first, last, { command, sources: readSourceLines(last.meta.root, locations) });
}

/** The page of any report view: statistics, a diff or a series. */
export function pageOf(view: StatisticsReportView | CompareReportView | SeriesReportView, traces: readonly TraceFile[], command: string): string {
  switch (view.kind) {
    case 'statistics':
      return statisticsPage(view, traces[0]!, command);
    case 'compare':
      return comparePage(view, traces[0]!, traces[traces.length - 1]!, command);
    case 'series':
      return seriesPage(view, traces[0]!, traces[traces.length - 1]!, command);
  }
}
