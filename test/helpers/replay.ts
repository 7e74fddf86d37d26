/**
 * Recorded real V8 profiles, replayed: a trace exactly as the capture preload wrote it on one Node
 * line (unresolved), with the built program it ran (an esbuild bundle and its map) beside it, goes
 * through the pipeline and comes out as a readable dump of what a report would say: ranks,
 * places and precision, never bytes. `test/data/README.md` says how to record again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeStatistics } from '../../src/analyze/statistics';
import type { GroupBy } from '../../src/analyze/stack-index';
import { resolveTrace } from '../../src/pipeline/resolve';
import { formatRowLocation } from '../../src/report/text';
import type { TraceFile } from '../../src/trace/format';
import { parseTrace } from '../../src/trace/read';
import { REPO_ROOT } from './fixtures';

export const DATA = path.join(REPO_ROOT, 'test', 'data');
/** Stands for the folder the program ran in, in a recorded trace. */
export const FIXTURE_DIR = '<fixture>';

/** The recorded trace `name` with its program copied to `dir`, as read from a file. */
export function loadRecorded(name: string, program: string, dir: string): TraceFile {
  fs.cpSync(path.join(DATA, program), dir, { recursive: true });
  // As old as the program the trace recorded: a script changed after it started is not read.
  const then = new Date('2000-01-01T00:00:00Z');
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) fs.utimesSync(path.join(dir, file), then, then);
  const text = fs.readFileSync(path.join(DATA, `${name}.trace`), 'utf8');
  // The folder is a JSON string's contents: escaped as JSON escapes it.
  const escaped = JSON.stringify(dir).slice(1, -1);
  return parseTrace(text.split(FIXTURE_DIR).join(escaped), name, { producer: 'test' });
}

/** Rows holding at least this share of the total: those a reader acts on, and stable under small changes. */
const SHARE = 0.05;

/** What the report of a resolved trace says, without bytes. */
export function dumpReport(trace: TraceFile): string {
  const out: string[] = [];
  const { trace: resolved, diagnostics } = resolveTrace(trace, { sourceMaps: true });
  out.push(`scripts: ${resolved.scripts.filter((s) => s.map !== 'none' && s.map !== 'unresolved').map((s) => `${s.path ?? s.url} map=${s.map} code=${s.code ?? '-'}`).join('; ')}`);
  out.push(`diagnostics: ${diagnostics.length === 0 ? 'none' : diagnostics.map((d) => `${d.kind}: ${d.message}`).join('; ')}`);
  for (const groupBy of ['lineno', 'function', 'filename', 'traceback'] as GroupBy[]) {
    const report = computeStatistics(resolved, { groupBy });
    const rows = report.stats.filter((s) => s.size >= SHARE * report.total.size);
    out.push(`${groupBy} (rows of ${SHARE * 100} % and more):`);
    rows.forEach((s, i) => out.push(`  ${i + 1}. ${formatRowLocation(s.location, s.via)} [${s.location.precision}, ${s.location.origin}]`));
    if (groupBy === 'lineno' && rows[0] !== undefined) {
      out.push('  traceback of row 1:');
      for (const l of rows[0].traceback) out.push(`    ${formatRowLocation(l, null)}`);
    }
  }
  return out.join('\n') + '\n';
}
