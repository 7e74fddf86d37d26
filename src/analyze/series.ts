/**
 * Trends across a series of traces (snapshots of one running process, in order): each site's
 * growth first → last, and the sites that grew in (nearly) every interval, the suspected leaks.
 *
 * The rule (docs/cli.md, "Series"): a site *grew* in an interval when its size estimate rose by
 * more than twice the sampling noise of that difference (see `StatisticDiff.noise`). A site is a
 * suspected leak when it grew in every interval, or in all but one per five intervals
 * (`grewIn >= steps - floor(steps / 5)`), and grew first → last beyond the noise too. A cache
 * that fills and then stays level grows in its first intervals only, and is not flagged.
 * Pure.
 */
import { diffGrouped, diffSite, groupTrace, isSignificant, type DiffTotals, type GroupedTrace, type StatisticDiff } from './compare';
import type { Site, SiteOptions } from './sites';
import type { GroupBy } from './statistics';
import type { TraceFile } from '../trace/format';

export interface SeriesSite extends StatisticDiff {
  /** Size estimate in each trace of the series, in order. */
  sizes: number[];
  /** Number of intervals in which the site grew beyond the noise. */
  grewIn: number;
  /** Intervals in the series (traces - 1). */
  steps: number;
  suspected: boolean;
}

export interface SeriesAnalysis {
  groupBy: GroupBy;
  cumulative: boolean;
  traces: number;
  /** Total estimate in each trace. */
  totals: number[];
  /** First → last. */
  total: DiffTotals;
  /** Intervals in which the total (all sites together) grew beyond the noise. */
  totalGrewIn: number;
  /** Suspected leaks, by growth first → last. */
  suspects: SeriesSite[];
  /** Every other site, by absolute difference first → last (as `compare`). */
  others: SeriesSite[];
}

/** Intervals a site must grow in to be suspected, out of `steps`. */
export function requiredGrowthSteps(steps: number): number {
  return Math.max(1, steps - Math.floor(steps / 5));
}

const TOTAL = '\u0000total';

/** The whole trace as one site, to judge the total's growth with the same noise model. */
function asOneSite(g: GroupedTrace): GroupedTrace {
  const site: Site = {
    key: TOTAL,
    location: { file: null, line: null, column: null, function: '(total)', precision: 'none', origin: 'pseudo' },
    via: null,
    size: g.total.size,
    count: g.total.count,
    samples: g.total.samples,
    traceback: [],
    members: Array.from({ length: g.trace.samples.size.length }, (_, i) => i),
  };
  return { ...g, sites: new Map([[TOTAL, site]]) };
}

export function analyzeSeries(traces: readonly TraceFile[], options: SiteOptions): SeriesAnalysis {
  if (traces.length < 2) throw new Error('a series needs two traces or more');
  const grouped = traces.map((t) => groupTrace(t, options));
  const first = grouped[0]!;
  const last = grouped[grouped.length - 1]!;
  const overall = diffGrouped(first, last, options);
  const steps = grouped.length - 1;
  const required = requiredGrowthSteps(steps);
  const stepGrowth = new Map<string, number>();
  let totalGrewIn = 0;
  for (let i = 1; i < grouped.length; i++) {
    const older = grouped[i - 1]!;
    const newer = grouped[i]!;
    const total = diffSite(TOTAL, asOneSite(older), asOneSite(newer));
    if (total.sizeDiff > 0 && isSignificant(total)) totalGrewIn += 1;
    for (const key of new Set([...older.sites.keys(), ...newer.sites.keys()])) {
      const d = diffSite(key, older, newer);
      if (d.sizeDiff > 0 && isSignificant(d)) stepGrowth.set(key, (stepGrowth.get(key) ?? 0) + 1);
    }
  }
  const suspects: SeriesSite[] = [];
  const others: SeriesSite[] = [];
  const allKeys = new Set<string>();
  for (const g of grouped) for (const key of g.sites.keys()) allKeys.add(key);
  const byKey = new Map(overall.diffs.map((d) => [d.key, d]));
  for (const key of allKeys) {
    // A site present only in the middle of the series still has a first → last diff of 0.
    const diff = byKey.get(key) ?? diffSite(key, first, last, grouped.find((g) => g.sites.has(key))?.sites.get(key));
    const grewIn = stepGrowth.get(key) ?? 0;
    const suspected = steps >= 2 && grewIn >= required && diff.sizeDiff > 0 && isSignificant(diff);
    const site: SeriesSite = {
      ...diff,
      sizes: grouped.map((g) => g.sites.get(key)?.size ?? 0),
      grewIn,
      steps,
      suspected,
    };
    (suspected ? suspects : others).push(site);
  }
  suspects.sort((a, b) => b.sizeDiff - a.sizeDiff || b.size - a.size || (a.key < b.key ? -1 : 1));
  const order = new Map(overall.diffs.map((d, i) => [d.key, i]));
  others.sort((a, b) => (order.get(a.key) ?? order.size) - (order.get(b.key) ?? order.size));
  return {
    groupBy: options.groupBy,
    cumulative: options.cumulative === true,
    traces: traces.length,
    totals: grouped.map((g) => g.total.size),
    total: overall.total,
    totalGrewIn,
    suspects,
    others,
  };
}
