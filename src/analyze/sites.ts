/**
 * Sites: a trace's samples grouped under keys made of locations, never of a trace's own frame
 * numbering, so the groups of two traces (even of two builds of the same code) line up. The base
 * of diffs, series and cumulative statistics. Pure.
 */
import { AlloctraceError } from '../errors';
import type { TraceFile } from '../trace/format';
import { locationKey, type Location } from './location';
import { groupKey, groupLocation, rowLocation, StackIndex, type Attribution, type GroupBy, type StatisticsOptions, type Totals } from './statistics';

export interface SiteOptions extends StatisticsOptions {
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
  /** Indices into `trace.samples` of the samples counted here. */
  members: number[];
}

export interface Sites {
  groupBy: GroupBy;
  sites: Map<string, Site>;
  /** Every sample once, also in cumulative mode. */
  total: Totals;
}

export function checkSiteOptions(options: SiteOptions): void {
  if (options.cumulative === true && options.groupBy === 'traceback') {
    throw new AlloctraceError('ERR_USAGE', 'cumulative statistics cannot be grouped by traceback (every frame of a traceback is already in it)');
  }
}

interface Key {
  key: string;
  /** Where the sample is charged (frame, and the line it was at). */
  at: Attribution;
  via: string | null;
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
  const { via } = at;
  // A traceback's own key is frame numbers: rebuild it from locations so traces line up.
  const key =
    groupBy === 'traceback'
      ? index
          .tracebackOf(stack)
          .map((l) => locationKey(l))
          .join('\u0002') + `\u0001${via ?? ''}`
      : groupKey(index, stack, at, groupBy);
  return [{ key, at, via: groupBy === 'lineno' || groupBy === 'traceback' ? via : null }];
}

export function groupSites(trace: TraceFile, options: SiteOptions, index = new StackIndex(trace)): Sites {
  checkSiteOptions(options);
  const sites = new Map<string, Site & { heaviest: number; heaviestStack: number }>();
  const keysCache: Array<Key[] | undefined> = [];
  const total: Totals = { size: 0, count: 0, samples: 0 };
  const { stack: stacks, size: sizes, count: counts } = trace.samples;
  for (let i = 0; i < stacks.length; i++) {
    const stack = stacks[i]!;
    const size = sizes[i]!;
    const count = counts[i]!;
    total.size += size;
    total.count += count;
    total.samples += 1;
    let keys = keysCache[stack];
    if (keys === undefined) {
      keys = keysOfStack(index, stack, options);
      keysCache[stack] = keys;
    }
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
          heaviestStack: stack,
        };
        sites.set(key, site);
      }
      site.size += size;
      site.count += count;
      site.samples += 1;
      site.members.push(i);
      if (size > site.heaviest) {
        site.heaviest = size;
        site.heaviestStack = stack;
      }
    }
  }
  const out = new Map<string, Site>();
  for (const [key, s] of sites) {
    const { heaviest: _h, heaviestStack, ...site } = s;
    site.traceback = index.tracebackOf(heaviestStack);
    out.set(key, site);
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
