/**
 * Leaks that no single row shows. When V8 inlines a hot function into its caller partway through
 * a run, the leak's later bytes are charged to the caller: each of the two rows grows in part of
 * the series only, and neither is suspected. The function that holds both, counted with its
 * callees (cumulative), grows throughout. This finds the innermost user functions whose
 * cumulative size is a suspected leak and that the row-level suspects do not already explain,
 * each with the rows that make up its growth. Pure.
 */
import type { TraceFile } from '../trace/format';
import type { Location } from './location';
import { analyzeSeries, type SeriesAnalysis, type SeriesSite } from './series';
import type { SiteOptions } from './sites';

export interface FunctionSuspect {
  /** The function's cumulative row (its own bytes and its callees'). */
  site: SeriesSite;
  /** Rows of the series that lie (mostly) within the function's samples and grew first → last, largest first. */
  parts: SeriesSite[];
  /** Bytes of the function's growth that no suspected row explains. */
  unexplained: number;
}

/** Share of a site's samples that must lie within another's for it to count as inside. */
const INSIDE = 0.9;
/** Share of a function's growth that row-level suspects inside it must make up to explain it. */
const EXPLAINED = 0.8;
/** Share of a row's samples within a function for the row to be listed as one of its parts. */
const PART = 0.5;
const MAX_PARTS = 5;

function membersOf(analysis: SeriesAnalysis, key: string): number[] {
  return analysis.last.sites.get(key)?.members ?? [];
}

function insideShare(members: readonly number[], outer: ReadonlySet<number>): number {
  if (members.length === 0) return 0;
  let n = 0;
  for (const m of members) if (outer.has(m)) n++;
  return n / members.length;
}

/** Position of a function in its heaviest stack, innermost 0 (deeper functions come first). */
function depthOf(location: Location, traceback: readonly Location[]): number {
  const i = traceback.findIndex((t) => t.file === location.file && t.function === location.function);
  return i < 0 ? traceback.length : i;
}

/**
 * Function-level suspects for a row-level series `rows` of the same traces (grouped by line or by
 * function, not cumulative). Empty when the row-level suspects explain every growing function.
 */
export function findFunctionSuspects(traces: readonly TraceFile[], options: SiteOptions, rows: SeriesAnalysis): FunctionSuspect[] {
  if (options.cumulative === true || options.groupBy === 'traceback' || options.groupBy === 'filename') return [];
  const functions = analyzeSeries(traces, { ...options, groupBy: 'function', cumulative: true });
  const candidates = functions.suspects
    .filter((s) => s.location.origin === 'user')
    .map((site) => ({ site, members: new Set(membersOf(functions, site.key)) }))
    .filter((c) => c.members.size > 0);
  // Innermost first: drop a function that holds another suspected function's samples.
  const innermost = candidates.filter(
    (outer) =>
      !candidates.some((inner) => {
        if (inner === outer || insideShare([...inner.members], outer.members) < INSIDE) return false;
        if (inner.members.size !== outer.members.size) return inner.members.size < outer.members.size;
        return depthOf(inner.site.location, inner.site.traceback) < depthOf(outer.site.location, outer.site.traceback);
      }),
  );
  const allRows = [...rows.suspects, ...rows.others];
  const out: FunctionSuspect[] = [];
  for (const { site, members } of innermost) {
    const within = allRows
      .filter((r) => r.sizeDiff > 0)
      .map((row) => ({ row, share: insideShare(membersOf(rows, row.key), members) }))
      .filter((p) => p.share >= PART);
    // A suspected row explains the part of its growth that lies within the function.
    const explained = within.filter((p) => p.row.suspected).reduce((n, p) => n + p.row.sizeDiff * p.share, 0);
    if (explained >= EXPLAINED * site.sizeDiff) continue;
    within.sort((a, b) => b.row.sizeDiff - a.row.sizeDiff || (a.row.key < b.row.key ? -1 : 1));
    out.push({ site, parts: within.slice(0, MAX_PARTS).map((p) => p.row), unexplained: Math.max(0, site.sizeDiff - explained) });
  }
  return out.sort((a, b) => b.site.sizeDiff - a.site.sizeDiff);
}
