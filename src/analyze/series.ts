/**
 * Trends across a series of traces (snapshots of one running process, in order): each site's
 * growth first → last, and the sites that look like leaks.
 *
 * The rule (docs/cli.md, "Series"). A site *grew* (or *shrank*) in an interval when its size
 * estimate rose (fell) by more than twice the sampling noise of that difference (see
 * `StatisticDiffRow.noise`). A site is a suspected leak when its growth first → last is beyond the
 * noise and either
 * - `steady`: it grew in every interval, or in all but one per five
 *   (`grewIn >= steps - floor(steps / 5)`); or
 * - `stepwise`: it grew in at least 3 intervals, gave back (shrank by, in all) at most a tenth of
 *   what it gained, and at least a fifth of its gain came in the later half of the series. This
 *   is a leak under bursty load: it grows whenever the program works and never frees, and it is
 *   still growing. The count of intervals is fixed, not a share of the series: idle time between
 *   bursts adds intervals, not growth.
 * A cache that fills and then stays level gains in its first intervals only; churn gives back
 * what it takes: neither is flagged. Pure.
 */
import { diffGrouped, diffSite, groupTrace, isSignificant, type DiffTotals, type GroupedTrace, type StatisticDiffRow } from './compare';
import type { Site, SiteOptions } from './sites';
import { LocationKeys, type GroupBy } from './stack-index';
import type { TraceFile } from '../trace/format';

/** Why a site is suspected: it grew in (nearly) every interval, or in bursts without giving back. */
export type LeakVerdict = 'steady' | 'stepwise';

export interface SeriesSite extends StatisticDiffRow {
  /** Size estimate in each trace of the series, in order. */
  sizes: number[];
  /** Number of intervals in which the site grew beyond the noise. */
  grewIn: number;
  /** Number of intervals in which it shrank beyond the noise. */
  shrankIn: number;
  /** Intervals in the series (traces - 1). */
  steps: number;
  suspected: boolean;
  verdict: LeakVerdict | null;
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
  /** The last trace, grouped: which of its samples each site holds. */
  last: GroupedTrace;
}

/** Intervals a site must grow in to be a `steady` suspect, out of `steps`. */
export function requiredGrowthSteps(steps: number): number {
  return Math.max(1, steps - Math.floor(steps / 5));
}

/** Intervals a site must grow in to be a `stepwise` suspect, out of `steps` (at least 3 of them). */
export function stepwiseGrowthSteps(steps: number): number {
  return Math.min(3, steps);
}

/** A site's interval-by-interval record: what the verdict is made of. */
export interface GrowthRecord {
  steps: number;
  grewIn: number;
  shrankIn: number;
  /** Bytes gained in the intervals it grew in. */
  gained: number;
  /** Bytes given back in the intervals it shrank in. */
  returned: number;
  /** Bytes gained in intervals of the later half (index ≥ floor(steps / 2)). */
  lateGained: number;
}

export function emptyRecord(steps: number): GrowthRecord {
  return { steps, grewIn: 0, shrankIn: 0, gained: 0, returned: 0, lateGained: 0 };
}

/** Adds interval `i` (0-based) with difference `d` to `record`. */
export function recordInterval(record: GrowthRecord, i: number, d: Pick<StatisticDiffRow, 'sizeDiff' | 'noise'>): void {
  if (!isSignificant(d)) return;
  if (d.sizeDiff > 0) {
    record.grewIn += 1;
    record.gained += d.sizeDiff;
    if (i >= Math.floor(record.steps / 2)) record.lateGained += d.sizeDiff;
  } else if (d.sizeDiff < 0) {
    record.shrankIn += 1;
    record.returned -= d.sizeDiff;
  }
}

/** The rule above, on one site's record and its first → last difference. */
export function judgeGrowth(record: GrowthRecord, overall: Pick<StatisticDiffRow, 'sizeDiff' | 'noise'>): LeakVerdict | null {
  const { steps } = record;
  if (steps < 2 || overall.sizeDiff <= 0 || !isSignificant(overall)) return null;
  if (record.grewIn >= requiredGrowthSteps(steps)) return 'steady';
  if (
    steps >= 3 &&
    record.grewIn >= stepwiseGrowthSteps(steps) &&
    record.returned <= record.gained / 10 &&
    record.lateGained >= record.gained / 5
  ) {
    return 'stepwise';
  }
  return null;
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
  const shared = { ...options, keys: options.keys ?? new LocationKeys() };
  const grouped = traces.map((t) => groupTrace(t, shared));
  const first = grouped[0]!;
  const last = grouped[grouped.length - 1]!;
  const overall = diffGrouped(first, last, options);
  const steps = grouped.length - 1;
  const records = new Map<string, GrowthRecord>();
  let totalGrewIn = 0;
  for (let i = 1; i < grouped.length; i++) {
    const older = grouped[i - 1]!;
    const newer = grouped[i]!;
    const total = diffSite(TOTAL, asOneSite(older), asOneSite(newer));
    if (total.sizeDiff > 0 && isSignificant(total)) totalGrewIn += 1;
    for (const key of new Set([...older.sites.keys(), ...newer.sites.keys()])) {
      let record = records.get(key);
      if (record === undefined) records.set(key, (record = emptyRecord(steps)));
      recordInterval(record, i - 1, diffSite(key, older, newer));
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
    const record = records.get(key) ?? emptyRecord(steps);
    const verdict = judgeGrowth(record, diff);
    const site: SeriesSite = {
      ...diff,
      sizes: grouped.map((g) => g.sites.get(key)?.size ?? 0),
      grewIn: record.grewIn,
      shrankIn: record.shrankIn,
      steps,
      suspected: verdict !== null,
      verdict,
    };
    (verdict !== null ? suspects : others).push(site);
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
    last,
  };
}
