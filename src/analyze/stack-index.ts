/**
 * A trace's stacks, indexed for grouping: each frame's location, where each sample is charged
 * (attribution), the key of its group under each `--group-by`, and samples summed per stack.
 * Pure; one per trace, with per-trace caches.
 */
import type { TraceFile } from '../trace/format';
import { lineRecordAt, locationAt } from './line-location';
import { locationKey, locationOfFrame, type Location } from './location';

import type { GroupBy } from './group-by';

export { GROUP_BYS, type GroupBy } from './group-by';

export interface AttributionOptions {
  /**
   * Attribute each sample to the innermost frame of the user's own code, skipping Node
   * internals and node_modules (they then show as `via`).
   */
  userCode?: boolean;
}

export interface Totals {
  size: number;
  count: number;
  samples: number;
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

/**
 * Small numbers for location keys, shared by the traces whose groups are matched (a diff, a
 * series): a traceback's key is then a short list of numbers, not its locations' text (which
 * took most of the time and memory of grouping 100 K stacks by traceback).
 */
export class LocationKeys {
  private readonly ids = new Map<string, number>();

  idOf(location: Location): number {
    const key = locationKey(location);
    let id = this.ids.get(key);
    if (id === undefined) this.ids.set(key, (id = this.ids.size));
    return id;
  }
}

/** Per-trace cache of frame locations and per-stack attribution. */
export class StackIndex {
  readonly trace: TraceFile;
  private readonly locations: Location[];
  private readonly attribution = new Map<string, Array<Attribution | undefined>>();
  private readonly lineLocations = new Map<string, Location>();
  /** Key ids of the locations tracebacks are made of (they are shared objects). */
  private readonly locationIds = new Map<Location, number>();
  private readonly keys: LocationKeys;

  /** `keys`: shared with the other traces whose groups this one's are matched with. */
  constructor(trace: TraceFile, keys = new LocationKeys()) {
    this.trace = trace;
    this.keys = keys;
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
    // Most frames have no line record: their location is the frame's, shared. Only refined ones
    // are cached (a key per stack node held 1 GiB on 100 K stacks; docs/benchmarks.md).
    if (lineRecordAt(this.trace, node, callee) === null) return this.location(this.trace.stacks.frame[node] ?? 0);
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

  /** The key of a stack's traceback: its locations (as `LocationKeys` ids), so two traces (two builds) line up. */
  tracebackKey(stack: number): string {
    const traceback = this.tracebackOf(stack);
    let key = '';
    for (const l of traceback) {
      let id = this.locationIds.get(l);
      if (id === undefined) this.locationIds.set(l, (id = this.keys.idOf(l)));
      key += `${id},`;
    }
    return key;
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
      // Locations, never frame numbers: the tracebacks of two traces (two builds) line up.
      return `${index.tracebackKey(stack)}\u0001${at.via ?? ''}`;
  }
}

/** Samples summed per stack (flat arrays), with each stack's heaviest sample and its index. */
export interface PerStack {
  size: Float64Array;
  count: Float64Array;
  samples: Uint32Array;
  heaviest: Float64Array;
  /** Index of the stack's first sample of the heaviest size: ties go to the earlier sample. */
  heaviestAt: Float64Array;
}

/**
 * Sums a trace's samples per stack and adds them to `total`. Grouping then visits stacks, not
 * samples: traces have millions of samples on far fewer stacks, and a string-keyed lookup per
 * sample was most of `show`'s time on 1 M samples (docs/benchmarks.md).
 */
export function sumPerStack(trace: TraceFile, total: Totals): PerStack {
  const stackCount = trace.stacks.frame.length;
  const perStack: PerStack = {
    size: new Float64Array(stackCount),
    count: new Float64Array(stackCount),
    samples: new Uint32Array(stackCount),
    heaviest: new Float64Array(stackCount).fill(-1),
    heaviestAt: new Float64Array(stackCount),
  };
  const { stack: stacks, size: sizes, count: counts } = trace.samples;
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
  total.samples += stacks.length;
  return perStack;
}
