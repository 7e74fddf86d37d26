/**
 * Statistics: samples grouped by a key (line, file, function, whole traceback), with estimated
 * size and count, sorted by size. tracemalloc's `Snapshot.statistics()`, over V8 samples.
 */
import type { TraceFile, TraceMode } from '../trace/format';
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

/** Per-trace cache of frame locations and per-stack attribution. */
export class StackIndex {
  readonly trace: TraceFile;
  private readonly locations: Location[];
  private readonly attribution = new Map<string, Array<{ frame: number; via: string | null } | undefined>>();

  constructor(trace: TraceFile) {
    this.trace = trace;
    this.locations = trace.frames.map((f) => locationOfFrame(trace, f));
  }

  location(frame: number): Location {
    const location = this.locations[frame];
    if (location === undefined) throw new Error(`frame ${frame} out of range`);
    return location;
  }

  /** Frame indices of a stack, innermost first. */
  framesOf(stack: number): number[] {
    const out: number[] = [];
    const { frame, parent } = this.trace.stacks;
    for (let s = stack; s >= 0; s = parent[s] ?? -1) out.push(frame[s] ?? 0);
    return out;
  }

  /** The frame a sample at `stack` is charged to, and what it called to allocate. */
  attribute(stack: number, options: AttributionOptions): { frame: number; via: string | null } {
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

  private computeAttribution(stack: number, userCode: boolean): { frame: number; via: string | null } {
    const frames = this.framesOf(stack);
    const pick = (accept: (l: Location) => boolean): { frame: number; via: string | null } | null => {
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i]!;
        if (!accept(this.location(f))) continue;
        const callee = i > 0 ? this.location(frames[i - 1]!) : null;
        return { frame: f, via: callee === null || callee.origin === 'pseudo' ? null : callee.function };
      }
      return null;
    };
    const isCode = (l: Location): boolean => l.origin !== 'builtin' && l.origin !== 'pseudo';
    return (
      (userCode ? pick((l) => l.origin === 'user' || l.origin === 'collected') : null) ??
      pick(isCode) ?? { frame: frames[0] ?? 0, via: null }
    );
  }
}

export function groupLocation(location: Location, groupBy: GroupBy): Location {
  if (groupBy === 'filename') {
    return { ...location, line: null, column: null, precision: location.file === null ? 'none' : 'file' };
  }
  return location;
}

export function groupKey(index: StackIndex, stack: number, frame: number, via: string | null, groupBy: GroupBy): string {
  const location = index.location(frame);
  switch (groupBy) {
    case 'lineno':
      return `${locationKey(location)}\u0001${via ?? ''}`;
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
  const total: Totals = { size: 0, count: 0, samples: 0 };
  const { stack: stacks, size: sizes, count: counts } = trace.samples;

  // Sum samples per stack first (flat arrays, no lookups), then group the stacks: traces have
  // millions of samples on far fewer stacks. Measured in bench/ (docs/benchmarks.md).
  const stackCount = trace.stacks.frame.length;
  const perStack = {
    size: new Float64Array(stackCount),
    count: new Float64Array(stackCount),
    samples: new Uint32Array(stackCount),
    heaviest: new Float64Array(stackCount).fill(-1),
    /** Index of the first sample of the stack with the heaviest size: ties go to the earlier. */
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

  const groups = new Map<string, Statistic & { heaviest: number; heaviestAt: number; heaviestStack: number }>();
  for (let stack = 0; stack < stackCount; stack++) {
    const samples = perStack.samples[stack]!;
    if (samples === 0) continue;
    const { frame, via } = index.attribute(stack, options);
    const key = groupKey(index, stack, frame, via, groupBy);
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        key,
        location: groupLocation(index.location(frame), groupBy),
        via: groupBy === 'lineno' || groupBy === 'traceback' ? via : null,
        size: 0,
        count: 0,
        samples: 0,
        traceback: [],
        heaviest: -1,
        heaviestAt: 0,
        heaviestStack: stack,
      };
      groups.set(key, group);
    }
    group.size += perStack.size[stack]!;
    group.count += perStack.count[stack]!;
    group.samples += samples;
    const heaviest = perStack.heaviest[stack]!;
    const at = perStack.heaviestAt[stack]!;
    if (heaviest > group.heaviest || (heaviest === group.heaviest && at < group.heaviestAt)) {
      group.heaviest = heaviest;
      group.heaviestAt = at;
      group.heaviestStack = stack;
    }
  }

  const stats: Statistic[] = [];
  for (const g of groups.values()) {
    // Built field by field: one object shape keeps the sort below fast (object rest does not).
    const traceback = index.framesOf(g.heaviestStack).map((f) => index.location(f));
    stats.push({ key: g.key, location: g.location, via: g.via, size: g.size, count: g.count, samples: g.samples, traceback });
  }
  stats.sort(compareStatistics);
  return { groupBy, mode: trace.meta.mode, interval: trace.meta.interval, total, stats };
}

export function compareStatistics(a: Statistic, b: Statistic): number {
  return b.size - a.size || b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
