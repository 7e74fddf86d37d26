/**
 * Sites: a trace's samples grouped under keys made of locations, never of a trace's own frame
 * numbering, so the groups of two traces (even of two builds of the same code) line up. The base
 * of diffs, series and cumulative statistics. Pure.
 */
import { AlloctraceError } from '../errors';
import type { TraceFile } from '../trace/format';
import { locationKey, type Location } from './location';
import { groupKey, groupLocation, StackIndex, type GroupBy, type StatisticsOptions, type Totals } from './statistics';

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
  /** Indices into `trace.samples` of the samples counted here (grouped by stack, not in order). */
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
  frame: number;
  via: string | null;
}

/** The site keys one sample at `stack` counts toward. */
function keysOfStack(index: StackIndex, stack: number, options: SiteOptions): Key[] {
  const { groupBy } = options;
  if (options.cumulative === true) {
    const seen = new Set<string>();
    const out: Key[] = [];
    for (const frame of index.framesOf(stack)) {
      if (index.location(frame).origin === 'pseudo') continue;
      const key = groupKey(index, stack, frame, null, groupBy);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ key, frame, via: null });
    }
    return out;
  }
  const { frame, via } = index.attribute(stack, options);
  // A traceback's own key is frame numbers: rebuild it from locations so traces line up.
  const key =
    groupBy === 'traceback'
      ? index
          .framesOf(stack)
          .map((f) => locationKey(index.location(f)))
          .join('\u0002') + `\u0001${via ?? ''}`
      : groupKey(index, stack, frame, via, groupBy);
  return [{ key, frame, via: groupBy === 'lineno' || groupBy === 'traceback' ? via : null }];
}

export function groupSites(trace: TraceFile, options: SiteOptions, index = new StackIndex(trace)): Sites {
  checkSiteOptions(options);
  const total: Totals = { size: 0, count: 0, samples: 0 };
  const { stack: stacks, size: sizes, count: counts } = trace.samples;
  // Per stack first (flat arrays, no lookups), then per site: traces have millions of samples on
  // far fewer stacks (1 M samples: 4 s → well under 1 s; docs/benchmarks.md).
  const stackCount = trace.stacks.frame.length;
  const perStack = {
    size: new Float64Array(stackCount),
    count: new Float64Array(stackCount),
    samples: new Uint32Array(stackCount),
    heaviest: new Float64Array(stackCount).fill(-1),
    /** Index of the stack's first sample of the heaviest size: ties go to the earlier sample. */
    heaviestAt: new Float64Array(stackCount),
  };
  for (let i = 0; i < stacks.length; i++) {
    const stack = stacks[i]!;
    const size = sizes[i]!;
    const count = counts[i]!;
    total.size += size;
    total.count += count;
    perStack.size[stack]! += size;
    perStack.count[stack]! += count;
    perStack.samples[stack]! += 1;
    if (size > perStack.heaviest[stack]!) {
      perStack.heaviest[stack] = size;
      perStack.heaviestAt[stack] = i;
    }
  }
  total.samples = stacks.length;
  // Sample indices sorted by stack (a counting sort): a site's members are its stacks' runs.
  const first = new Uint32Array(stackCount + 1);
  for (let s = 0; s < stackCount; s++) first[s + 1] = first[s]! + perStack.samples[s]!;
  const byStack = new Uint32Array(stacks.length);
  const next = first.slice(0, stackCount);
  for (let i = 0; i < stacks.length; i++) byStack[next[stacks[i]!]!++] = i;

  const sites = new Map<string, Site & { heaviest: number; heaviestAt: number; heaviestStack: number }>();
  for (let stack = 0; stack < stackCount; stack++) {
    const samples = perStack.samples[stack]!;
    if (samples === 0) continue;
    for (const { key, frame, via } of keysOfStack(index, stack, options)) {
      let site = sites.get(key);
      if (site === undefined) {
        site = {
          key,
          location: groupLocation(index.location(frame), options.groupBy),
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
      for (let j = first[stack]!; j < first[stack + 1]!; j++) site.members.push(byStack[j]!);
      const heaviest = perStack.heaviest[stack]!;
      const at = perStack.heaviestAt[stack]!;
      if (heaviest > site.heaviest || (heaviest === site.heaviest && at < site.heaviestAt)) {
        site.heaviest = heaviest;
        site.heaviestAt = at;
        site.heaviestStack = stack;
      }
    }
  }
  const out = new Map<string, Site>();
  for (const [key, s] of sites) {
    const traceback = index.framesOf(s.heaviestStack).map((f) => index.location(f));
    out.set(key, { key: s.key, location: s.location, via: s.via, size: s.size, count: s.count, samples: s.samples, traceback, members: s.members });
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
