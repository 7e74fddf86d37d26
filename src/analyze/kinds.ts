/**
 * Object kinds of an object trace (`meta.objects`): heapy's partition of the heap (`--group-by
 * type`), each row's kind mix in the other group-bys, and what changed per kind between two
 * traces. Pure.
 */
import { AlloctraceError } from '../errors';
import type { TraceFile } from '../trace/format';
import type { Measure } from './report';
import { measureOf } from './report';
import { groupSites, type SiteOptions } from './sites';

/** `--group-by`: the site keys, or `type` (kinds of objects). */
export type ReportGroupBy = SiteOptions['groupBy'] | 'type';

/** One kind's share of a row: `Order 61%`. */
export interface KindShare {
  kind: string;
  size: number;
  count: number;
  /** Of the row's size, 0–1. */
  share: number;
  external: boolean;
}

/** One row of heapy's table. */
export interface KindRow {
  /** 0-based rank. */
  index: number;
  kind: string;
  external: boolean;
  count: number;
  /** Of all objects, 0–1. */
  countShare: number;
  size: number;
  sizeShare: number;
  /** Size of this row and every row above it. */
  cumulative: number;
  cumulativeShare: number;
}

export interface TypesReportView {
  kind: 'types';
  measure: Measure;
  objects: TraceFile['meta']['objects'] | null;
  total: { count: number; size: number; heap: number; external: number };
  rows: KindRow[];
  omitted: { rows: number; size: number; count: number };
  notes: string[];
}

export interface KindChange {
  kind: string;
  external: boolean;
  older: { size: number; count: number };
  newer: { size: number; count: number };
  sizeDiff: number;
  countDiff: number;
}

export interface TypeCompareView {
  kind: 'type-compare';
  older: { name: string; measure: Measure };
  newer: { name: string; measure: Measure };
  total: { older: number; newer: number; sizeDiff: number; countDiff: number };
  rows: KindChange[];
  omitted: { rows: number; sizeDiff: number };
  notes: string[];
}

export const KINDS_NOTE =
  'kinds as heapy names them: constructor names, string, closure; an object\'s elements, out-of-object properties and Map/Set tables are counted in its own size; "(external)": ArrayBuffer, typed array and Buffer contents outside the V8 heap, at the line that allocated their ArrayBuffer.';

/** A trace with kinds, or a user error saying how to record one. */
export function requireKinds(trace: TraceFile, name = 'the trace'): { kinds: NonNullable<TraceFile['kinds']>; kind: number[] } {
  const kinds = trace.kinds;
  const kind = trace.samples.kind;
  if (kinds === undefined || kind === undefined) {
    throw new AlloctraceError('ERR_USAGE', `${name} has no object kinds (--group-by type needs a trace of alloctrace run --types or --census)`);
  }
  return { kinds, kind };
}

interface KindTotal {
  size: number;
  count: number;
}

/** How a kind is shown: its original name where a minifier renamed it (symbolize/kind-names.ts). */
export function kindName(kind: { name: string; original?: string } | undefined): string {
  return kind?.original ?? kind?.name ?? '?';
}

/** Totals per kind as shown (records of one name, e.g. two `Order` classes, add up), external apart. */
function totalsByKind(trace: TraceFile, name?: string): Map<string, KindTotal & { kind: string; external: boolean }> {
  const { kinds, kind } = requireKinds(trace, name);
  const out = new Map<string, KindTotal & { kind: string; external: boolean }>();
  const { size, count } = trace.samples;
  for (let i = 0; i < kind.length; i++) {
    const record = kinds[kind[i]!];
    const shown = kindName(record);
    const external = record?.external === true;
    const key = external ? `${shown}\u0000` : shown;
    let t = out.get(key);
    if (t === undefined) out.set(key, (t = { size: 0, count: 0, kind: shown, external }));
    t.size += size[i]!;
    t.count += count[i]!;
  }
  return out;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** heapy's table: kinds by size, largest first, with shares and the running total. */
export function buildTypesReport(trace: TraceFile, options: { top: number | null; notes?: readonly string[] }): TypesReportView {
  const totals = [...totalsByKind(trace).values()];
  totals.sort((a, b) => b.size - a.size || b.count - a.count || byName(a.kind, b.kind));
  const total = { count: 0, size: 0, heap: 0, external: 0 };
  for (const t of totals) {
    total.count += t.count;
    total.size += t.size;
    if (t.external) total.external += t.size;
    else total.heap += t.size;
  }
  const rows: KindRow[] = [];
  let cumulative = 0;
  const shown = options.top === null ? totals : totals.slice(0, options.top);
  shown.forEach((t, index) => {
    cumulative += t.size;
    rows.push({
      index,
      kind: t.kind,
      external: t.external,
      count: t.count,
      countShare: total.count > 0 ? t.count / total.count : 0,
      size: t.size,
      sizeShare: total.size > 0 ? t.size / total.size : 0,
      cumulative,
      cumulativeShare: total.size > 0 ? cumulative / total.size : 0,
    });
  });
  const omitted = { rows: totals.length - shown.length, size: 0, count: 0 };
  for (const t of totals.slice(shown.length)) {
    omitted.size += t.size;
    omitted.count += t.count;
  }
  const notes = [...trace.meta.notes, ...(options.notes ?? []), KINDS_NOTE];
  return { kind: 'types', measure: measureOf(trace), objects: trace.meta.objects ?? null, total, rows, omitted, notes };
}

/** heapy's `h - h1`: each kind's bytes and objects in both traces, largest change first. */
export function buildTypeCompare(older: { name: string; trace: TraceFile }, newer: { name: string; trace: TraceFile }, options: { top: number | null; notes?: readonly string[] }): TypeCompareView {
  const na = totalsByKind(older.trace, older.name);
  const nb = totalsByKind(newer.trace, newer.name);
  const rows: KindChange[] = [];
  for (const key of new Set([...na.keys(), ...nb.keys()])) {
    const o = na.get(key) ?? { size: 0, count: 0, external: false, kind: '' };
    const n = nb.get(key) ?? { size: 0, count: 0, external: o.external, kind: o.kind };
    rows.push({ kind: n.kind || o.kind, external: o.external || n.external, older: { size: o.size, count: o.count }, newer: { size: n.size, count: n.count }, sizeDiff: n.size - o.size, countDiff: n.count - o.count });
  }
  rows.sort((x, y) => Math.abs(y.sizeDiff) - Math.abs(x.sizeDiff) || y.newer.size - x.newer.size || byName(x.kind, y.kind));
  const sum = (m: Map<string, KindTotal>, f: 'size' | 'count'): number => [...m.values()].reduce((s, t) => s + t[f], 0);
  const shown = options.top === null ? rows : rows.slice(0, options.top);
  const omitted = { rows: rows.length - shown.length, sizeDiff: rows.slice(shown.length).reduce((s, r) => s + r.sizeDiff, 0) };
  return {
    kind: 'type-compare',
    older: { name: older.name, measure: measureOf(older.trace) },
    newer: { name: newer.name, measure: measureOf(newer.trace) },
    total: { older: sum(na, 'size'), newer: sum(nb, 'size'), sizeDiff: sum(nb, 'size') - sum(na, 'size'), countDiff: sum(nb, 'count') - sum(na, 'count') },
    rows: shown,
    omitted,
    notes: [...(options.notes ?? []), KINDS_NOTE],
  };
}

/** A kind's part of a row's change between two object traces. */
export interface KindChangeShare {
  kind: string;
  size: number;
  sizeDiff: number;
  countDiff: number;
  external: boolean;
}

function kindTotalsBySite(trace: TraceFile, options: SiteOptions): Map<string, Map<string, KindTotal & { external: boolean }>> {
  const out = new Map<string, Map<string, KindTotal & { external: boolean }>>();
  const kinds = trace.kinds ?? [];
  const kind = trace.samples.kind ?? [];
  const { size, count } = trace.samples;
  for (const [key, site] of groupSites(trace, { ...options, members: true }).sites) {
    const per = new Map<string, KindTotal & { external: boolean }>();
    for (const i of site.members) {
      const record = kinds[kind[i]!];
      const name = `${kindName(record)}${record?.external === true ? '\u0000' : ''}`;
      let t = per.get(name);
      if (t === undefined) per.set(name, (t = { size: 0, count: 0, external: record?.external === true }));
      t.size += size[i]!;
      t.count += count[i]!;
    }
    out.set(key, per);
  }
  return out;
}

/**
 * Per site key, what each kind added or gave back between two object traces, largest change first
 * (kinds that did not change left out). `null` unless both traces have kinds. `options.keys` must
 * be the key space the diff used.
 */
export function kindChangesBySite(older: TraceFile, newer: TraceFile, options: SiteOptions): Map<string, KindChangeShare[]> | null {
  if (older.samples.kind === undefined || newer.samples.kind === undefined) return null;
  const a = kindTotalsBySite(older, options);
  const b = kindTotalsBySite(newer, options);
  const out = new Map<string, KindChangeShare[]>();
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const o = a.get(key) ?? new Map();
    const n = b.get(key) ?? new Map();
    const changes: KindChangeShare[] = [];
    for (const name of new Set([...o.keys(), ...n.keys()])) {
      const before = o.get(name) ?? { size: 0, count: 0, external: false };
      const after = n.get(name) ?? { size: 0, count: 0, external: before.external };
      if (after.size === before.size && after.count === before.count) continue;
      changes.push({ kind: name.replace(/\u0000$/, ''), size: after.size, sizeDiff: after.size - before.size, countDiff: after.count - before.count, external: before.external || after.external });
    }
    changes.sort((x, y) => Math.abs(y.sizeDiff) - Math.abs(x.sizeDiff) || byName(x.kind, y.kind));
    out.set(key, changes.slice(0, MIX_MAX_KINDS));
  }
  return out;
}

/** Kinds that are less than this share of a row are left out of its mix (they add up to the rest). */
const MIX_MIN_SHARE = 0.01;
const MIX_MAX_KINDS = 4;

/** Each site's kind mix, by site key: the largest kinds first. `null` for a trace without kinds. */
export function kindMixes(trace: TraceFile, options: SiteOptions): Map<string, KindShare[]> | null {
  const kinds = trace.kinds;
  const kind = trace.samples.kind;
  if (kinds === undefined || kind === undefined) return null;
  const { sites } = groupSites(trace, { ...options, members: true });
  const out = new Map<string, KindShare[]>();
  const { size, count } = trace.samples;
  for (const [key, site] of sites) {
    const per = new Map<string, KindTotal & { kind: string; external: boolean }>();
    let rowSize = 0;
    for (const i of site.members) {
      const record = kinds[kind[i]!];
      const shown = kindName(record);
      const external = record?.external === true;
      const k = external ? `${shown}\u0000` : shown;
      let t = per.get(k);
      if (t === undefined) per.set(k, (t = { size: 0, count: 0, kind: shown, external }));
      t.size += size[i]!;
      t.count += count[i]!;
      rowSize += size[i]!;
    }
    const shares = [...per.values()]
      .map((t) => ({ kind: t.kind, size: t.size, count: t.count, share: rowSize > 0 ? t.size / rowSize : 0, external: t.external }))
      .sort((a, b) => b.size - a.size || byName(a.kind, b.kind));
    out.set(key, shares.filter((s, i) => i === 0 || (s.share >= MIX_MIN_SHARE && i < MIX_MAX_KINDS)));
  }
  return out;
}
