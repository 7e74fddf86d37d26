/**
 * Sites: the one grouping engine. A trace's samples grouped under keys made of locations, never of
 * a trace's own frame numbering, so the groups of two traces (even of two builds of the same code)
 * line up. The base of statistics, diffs, series and cumulative statistics. Pure.
 */
import { checkSiteOptions } from './group-by';
import type { TraceFile } from '../trace/format';
import type { Location } from './location';

export { checkSiteOptions } from './group-by';
import { groupKey, groupLocation, rowLocation, StackIndex, sumPerStack, type Attribution, type AttributionOptions, type GroupBy, type LocationKeys, type Totals } from './stack-index';

export interface SiteOptions extends AttributionOptions {
  groupBy: GroupBy;
  /** Key space shared by the traces whose sites are matched (a diff, a series); default: this trace's own. */
  keys?: LocationKeys;
  /**
   * Count a sample toward every frame of its stack (once per distinct key), not only the frame
   * it is charged to: tracemalloc's `cumulative=True`. Not with `traceback`.
   */
  cumulative?: boolean;
}

export interface Site {
  /** Key built from locations: equal across traces and builds for the same original place. */
  key: string;
  location: Location;
  via: string | null;
  size: number;
  count: number;
  samples: number;
  /** Stack of the heaviest sample, innermost frame first. */
  traceback: Location[];
  /**
   * Indices into `trace.samples` of the samples counted here (grouped by stack, not in order);
   * empty unless asked for (`groupSites`' `members`).
   */
  members: number[];
}

export interface Sites {
  groupBy: GroupBy;
  sites: Map<string, Site>;
  /** Every sample once, also in cumulative mode. */
  total: Totals;
}


interface Key {
  key: string;
  /** Where the sample is charged (frame, and the line it was at). */
  at: Attribution;
  via: string | null;
}

/** The one key a sample at `stack` counts toward (not cumulative). */
function oneKey(index: StackIndex, stack: number, options: SiteOptions): Key {
  const at = index.attribute(stack, options);
  const by = options.groupBy;
  return { key: groupKey(index, stack, at, by), at, via: by === 'lineno' || by === 'traceback' ? at.via : null };
}

/** The site keys one sample at `stack` counts toward. */
function keysOfStack(index: StackIndex, stack: number, options: SiteOptions): Key[] {
  const { groupBy } = options;
  if (options.cumulative === true) {
    const seen = new Set<string>();
    const out: Key[] = [];
    const nodes = index.nodesOf(stack);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const frame = index.trace.stacks.frame[node] ?? 0;
      if (index.location(frame).origin === 'pseudo') continue;
      // Each frame at the line it was executing on this stack.
      const at: Attribution = { frame, via: null, node, callee: i > 0 ? nodes[i - 1]! : -1 };
      const key = groupKey(index, stack, at, groupBy);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ key, at, via: null });
    }
    return out;
  }
  const at = index.attribute(stack, options);
  const { groupBy: by } = options;
  return [{ key: groupKey(index, stack, at, by), at, via: by === 'lineno' || by === 'traceback' ? at.via : null }];
}

/**
 * Groups a trace's samples by `options.groupBy`. `members`: also list each site's samples (what
 * diffs need to tell a sample kept from a new one; statistics do without).
 */
export function groupSites(trace: TraceFile, options: SiteOptions & { members?: boolean }, index = new StackIndex(trace, options.keys)): Sites {
  checkSiteOptions(options);
  const withMembers = options.members === true;
  const total: Totals = { size: 0, count: 0, samples: 0 };
  // Per stack first, then per site (statistics.ts `sumPerStack`): 1 M samples took 4 s with a
  // string-keyed lookup per sample, well under 1 s this way (docs/benchmarks.md).
  const perStack = sumPerStack(trace, total);
  const stackCount = perStack.samples.length;
  const stacks = trace.samples.stack;
  // Sample indices sorted by stack (a counting sort): a site's members are its stacks' runs.
  const first = new Uint32Array(withMembers ? stackCount + 1 : 0);
  const byStack = new Uint32Array(withMembers ? stacks.length : 0);
  if (withMembers) {
    for (let s = 0; s < stackCount; s++) first[s + 1] = first[s]! + perStack.samples[s]!;
    const next = first.slice(0, stackCount);
    for (let i = 0; i < stacks.length; i++) byStack[next[stacks[i]!]!++] = i;
  }

  const sites = new Map<string, Site & { heaviest: number; heaviestAt: number; heaviestStack: number }>();
  for (let stack = 0; stack < stackCount; stack++) {
    const samples = perStack.samples[stack]!;
    if (samples === 0) continue;
    const keys = options.cumulative === true ? keysOfStack(index, stack, options) : [oneKey(index, stack, options)];
    for (const { key, at, via } of keys) {
      let site = sites.get(key);
      if (site === undefined) {
        site = {
          key,
          location: groupLocation(rowLocation(index, at, options.groupBy), options.groupBy),
          via,
          size: 0,
          count: 0,
          samples: 0,
          traceback: [],
          members: [],
          heaviest: -1,
          heaviestAt: 0,
          heaviestStack: stack,
        };
        sites.set(key, site);
      }
      site.size += perStack.size[stack]!;
      site.count += perStack.count[stack]!;
      site.samples += samples;
      if (withMembers) for (let j = first[stack]!; j < first[stack + 1]!; j++) site.members.push(byStack[j]!);
      const heaviest = perStack.heaviest[stack]!;
      const heaviestAt = perStack.heaviestAt[stack]!;
      if (heaviest > site.heaviest || (heaviest === site.heaviest && heaviestAt < site.heaviestAt)) {
        site.heaviest = heaviest;
        site.heaviestAt = heaviestAt;
        site.heaviestStack = stack;
      }
    }
  }
  const out = new Map<string, Site>();
  for (const [key, s] of sites) {
    out.set(key, { key: s.key, location: s.location, via: s.via, size: s.size, count: s.count, samples: s.samples, traceback: index.tracebackOf(s.heaviestStack), members: s.members });
  }
  return { groupBy: options.groupBy, sites: out, total };
}

/**
 * Variance of the size estimate carried by each sample. A sample of an `s`-byte object was
 * drawn with probability `p = 1 - exp(-s / interval)` and weighs `w = s × n`; its contribution
 * to the estimator's variance, estimated from the sample, is `w² × (1 - p)`. Small objects
 * (`p` small) weigh about `interval²` each; objects much larger than the interval are almost
 * certain to be sampled and add almost nothing.
 */
export function sampleVariances(trace: TraceFile): Float64Array {
  const { size, count } = trace.samples;
  const interval = trace.meta.interval;
  const out = new Float64Array(size.length);
  // An object trace counts every live object: its sizes are exact, with no sampling noise.
  if (trace.meta.objects !== undefined) return out;
  for (let i = 0; i < size.length; i++) {
    const w = size[i]!;
    const n = Math.max(1, count[i]!);
    const notDrawn = interval === null ? 1 : Math.exp(-w / n / interval);
    out[i] = w * w * notDrawn;
  }
  return out;
}

/**
 * `true` when two traces come from one sampling session (one process, not restarted): their
 * samples then share V8's ordinals, and a sample present in both is the same object.
 */
export function sameSession(a: TraceFile, b: TraceFile): boolean {
  return (
    a.meta.pid !== null &&
    a.meta.pid === b.meta.pid &&
    a.meta.startTime !== null &&
    a.meta.startTime === b.meta.startTime &&
    a.meta.interval === b.meta.interval &&
    a.meta.mode === b.meta.mode
  );
}
