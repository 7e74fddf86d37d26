/**
 * Statistics: samples grouped by a key (line, file, function, whole traceback), with estimated
 * size and count, sorted by size. tracemalloc's `Snapshot.statistics()`, over V8 samples.
 */
import type { TraceFile, TraceMode } from '../trace/format';
import { locationAt } from './line-location';
import { locationKey, locationOfFrame, type Location } from './location';

export type GroupBy = 'lineno' | 'filename' | 'function' | 'traceback';
export const GROUP_BYS: readonly GroupBy[] = ['lineno', 'filename', 'function', 'traceback'];

export interface AttributionOptions {
  /**
   * Attribute each sample to the innermost frame of the user's own code, skipping Node
   * internals and node_modules (they then show as `via`).
   */
  userCode?: boolean;
}

export interface StatisticsOptions extends AttributionOptions {
  groupBy: GroupBy;
}

export interface Statistic {
  /** Stable grouping key. */
  key: string;
  /** Where the memory is attributed, at the precision the group-by allows. */
  location: Location;
  /** The builtin or skipped callee the allocation went through (`repeat`, `JSON.parse`…), if any. */
  via: string | null;
  /** Estimated bytes. */
  size: number;
  /** Estimated number of allocations. */
  count: number;
  /** Number of samples behind the estimate: a measure of how much to trust it. */
  samples: number;
  /** Stack of the heaviest sample in the group, innermost frame first. */
  traceback: Location[];
}

export interface Totals {
  size: number;
  count: number;
  samples: number;
}

export interface StatisticsReport {
  groupBy: GroupBy;
  mode: TraceMode | null;
  interval: number | null;
  total: Totals;
  stats: Statistic[];
}

/** Where a sample is charged: a frame, the stack node it is at, and the node it called there. */
export interface Attribution {
  frame: number;
  via: string | null;
  /** Stack node of `frame`. */
  node: number;
  /** Stack node `frame` called on this stack (`-1`: it allocated itself). */
  callee: number;
}

/** Per-trace cache of frame locations and per-stack attribution. */
export class StackIndex {
  readonly trace: TraceFile;
  private readonly locations: Location[];
  private readonly attribution = new Map<string, Array<Attribution | undefined>>();
  private readonly lineLocations = new Map<string, Location>();

  constructor(trace: TraceFile) {
    this.trace = trace;
    this.locations = trace.frames.map((f) => locationOfFrame(trace, f));
  }

  location(frame: number): Location {
    const location = this.locations[frame];
    if (location === undefined) throw new Error(`frame ${frame} out of range`);
    return location;
  }

  /**
   * Location of stack node `node` at the line it was executing: the call into `callee` (a stack
   * node), or its own allocation when `callee` is `-1`, where the code proved one.
   */
  locationAt(node: number, callee: number): Location {
    const key = `${node},${callee}`;
    let location = this.lineLocations.get(key);
    if (location === undefined) {
      location = locationAt(this.trace, node, callee, this.location(this.trace.stacks.frame[node] ?? 0));
      this.lineLocations.set(key, location);
    }
    return location;
  }

  /** Stack nodes of a stack, innermost first. */
  nodesOf(stack: number): number[] {
    const out: number[] = [];
    const { parent } = this.trace.stacks;
    for (let s = stack; s >= 0; s = parent[s] ?? -1) out.push(s);
    return out;
  }

  /**
   * Each frame of a stack at the line it was executing, innermost first. An `--exact-lines`
   * wrapper already is its enclosing function at that line: the frames it stands for are skipped.
   */
  tracebackOf(stack: number): Location[] {
    const nodes = this.nodesOf(stack);
    const out: Location[] = [];
    let skipping = false;
    for (let i = 0; i < nodes.length; i++) {
      const frame = this.trace.frames[this.trace.stacks.frame[nodes[i]!] ?? 0];
      const wrapper = frame?.kind === 'script' && frame.wrapper !== undefined;
      if (skipping) {
        if (!wrapper) skipping = false;
        continue;
      }
      out.push(this.locationAt(nodes[i]!, i > 0 ? nodes[i - 1]! : -1));
      if (wrapper) skipping = true;
    }
    return out;
  }

  /** Frame indices of a stack, innermost first. */
  framesOf(stack: number): number[] {
    const out: number[] = [];
    const { frame, parent } = this.trace.stacks;
    for (let s = stack; s >= 0; s = parent[s] ?? -1) out.push(frame[s] ?? 0);
    return out;
  }

  /** The frame a sample at `stack` is charged to, and what it called to allocate. */
  attribute(stack: number, options: AttributionOptions): Attribution {
    const mode = options.userCode === true ? 'user' : 'any';
    let cache = this.attribution.get(mode);
    if (cache === undefined) {
      cache = [];
      this.attribution.set(mode, cache);
    }
    let hit = cache[stack];
    if (hit === undefined) {
      hit = this.computeAttribution(stack, options.userCode === true);
      cache[stack] = hit;
    }
    return hit;
  }

  private computeAttribution(stack: number, userCode: boolean): Attribution {
    const nodes = this.nodesOf(stack);
    const frameAt = (i: number): number => this.trace.stacks.frame[nodes[i]!] ?? 0;
    const pick = (accept: (l: Location) => boolean): Attribution | null => {
      for (let i = 0; i < nodes.length; i++) {
        const f = frameAt(i);
        if (!accept(this.location(f))) continue;
        const callee = i > 0 ? this.location(frameAt(i - 1)) : null;
        return {
          frame: f,
          via: callee === null || callee.origin === 'pseudo' ? null : callee.function,
          node: nodes[i]!,
          callee: i > 0 ? nodes[i - 1]! : -1,
        };
      }
      return null;
    };
    const isCode = (l: Location): boolean => l.origin !== 'builtin' && l.origin !== 'pseudo';
    return (
      (userCode ? pick((l) => l.origin === 'user' || l.origin === 'collected') : null) ??
      pick(isCode) ?? { frame: frameAt(0), via: null, node: stack, callee: -1 }
    );
  }
}

export function groupLocation(location: Location, groupBy: GroupBy): Location {
  if (groupBy === 'filename') {
    return { ...location, line: null, column: null, precision: location.file === null ? 'none' : 'file' };
  }
  return location;
}

/** The location a row shows: at the most precise line proven, except when grouping by function. */
export function rowLocation(index: StackIndex, at: Attribution, groupBy: GroupBy): Location {
  return groupBy === 'lineno' || groupBy === 'traceback' ? index.locationAt(at.node, at.callee) : index.location(at.frame);
}

export function groupKey(index: StackIndex, stack: number, at: Attribution, groupBy: GroupBy): string {
  const location = index.location(at.frame);
  switch (groupBy) {
    case 'lineno':
      return `${locationKey(rowLocation(index, at, groupBy))}\u0001${at.via ?? ''}`;
    case 'filename':
      return location.file ?? location.function;
    case 'function':
      return locationKey(location);
    case 'traceback':
      return index.framesOf(stack).join(',');
  }
}

/** Groups a trace's samples. Sorted by size, then count, then key (a stable order). */
export function computeStatistics(trace: TraceFile, options: StatisticsOptions, index = new StackIndex(trace)): StatisticsReport {
  const { groupBy } = options;
  const groups = new Map<string, Statistic & { heaviest: number; heaviestStack: number }>();
  const keyOfStack: Array<string | undefined> = [];
  const total: Totals = { size: 0, count: 0, samples: 0 };
  const { stack: stacks, size: sizes, count: counts } = trace.samples;

  for (let i = 0; i < stacks.length; i++) {
    const stack = stacks[i]!;
    const size = sizes[i]!;
    const count = counts[i]!;
    total.size += size;
    total.count += count;
    total.samples += 1;
    const at = index.attribute(stack, options);
    const { via } = at;
    let key = keyOfStack[stack];
    if (key === undefined) {
      key = groupKey(index, stack, at, groupBy);
      keyOfStack[stack] = key;
    }
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        key,
        location: groupLocation(rowLocation(index, at, groupBy), groupBy),
        via: groupBy === 'lineno' || groupBy === 'traceback' ? via : null,
        size: 0,
        count: 0,
        samples: 0,
        traceback: [],
        heaviest: -1,
        heaviestStack: stack,
      };
      groups.set(key, group);
    }
    group.size += size;
    group.count += count;
    group.samples += 1;
    if (size > group.heaviest) {
      group.heaviest = size;
      group.heaviestStack = stack;
    }
  }

  const stats: Statistic[] = [];
  for (const g of groups.values()) {
    const { heaviest: _h, heaviestStack, ...stat } = g;
    stat.traceback = index.tracebackOf(heaviestStack);
    stats.push(stat);
  }
  stats.sort(compareStatistics);
  return { groupBy, mode: trace.meta.mode, interval: trace.meta.interval, total, stats };
}

export function compareStatistics(a: Statistic, b: Statistic): number {
  return b.size - a.size || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
