/**
 * Export to pprof's `profile.proto` (gzipped), which `go tool pprof`, Pyroscope, Grafana, Parca
 * and Datadog read. One pprof Function per original function (name, file, start line), one
 * Location per line a function was at on a stack (the proven call or allocation line, else the
 * function's start), one Sample per stack and isolate with thread and pid labels. Pure.
 */
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Label, Line, Location as PprofLocation, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { locationAt } from '../analyze/line-location';
import { locationOfFrame, type Location } from '../analyze/location';
import type { TraceFile } from '../trace/format';
import { threadOfSample, threadsOf } from '../trace/merge';

/** `alloc_*` for traces that kept every allocation, `inuse_*` for live memory. */
export function pprofSampleTypes(trace: TraceFile): [string, string] {
  return trace.meta.mode === 'allocated' ? ['alloc_objects', 'alloc_space'] : ['inuse_objects', 'inuse_space'];
}

/** The uncompressed `profile.proto` bytes of a resolved trace (what `show` would report). */
export function traceToPprofProto(trace: TraceFile): Uint8Array {
  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const functionIds = new Map<string, number>();
  const locations: PprofLocation[] = [];
  const locationIds = new Map<string, number>();
  const baseOf = new Map<number, Location>();

  function functionId(base: Location, systemName: string): number {
    const key = `${base.function}\u0000${base.file ?? ''}\u0000${base.line ?? ''}`;
    let id = functionIds.get(key);
    if (id === undefined) {
      id = functions.length + 1;
      functionIds.set(key, id);
      functions.push(
        new PprofFunction({
          id,
          name: strings.dedup(base.function),
          systemName: strings.dedup(systemName || base.function),
          filename: strings.dedup(base.file ?? ''),
          startLine: base.line ?? 0,
        }),
      );
    }
    return id;
  }

  /** Location of stack node `node` whose callee on this stack is `callee` (-1: innermost). */
  function locationId(node: number, callee: number): number {
    const frameIndex = trace.stacks.frame[node]!;
    let base = baseOf.get(frameIndex);
    if (base === undefined) baseOf.set(frameIndex, (base = locationOfFrame(trace, trace.frames[frameIndex]!)));
    const frame = trace.frames[frameIndex]!;
    const fn = functionId(base, frame.name);
    const at = locationAt(trace, node, callee, base);
    // Only a proven line (exact) moves off the function's start: candidates are not one line.
    const line = at.precision === 'exact' ? (at.line ?? 0) : (base.line ?? 0);
    const column = at.precision === 'exact' ? (at.column ?? 0) : (base.column ?? 0);
    const key = `${fn}:${line}:${column}`;
    let id = locationIds.get(key);
    if (id === undefined) {
      id = locations.length + 1;
      locationIds.set(key, id);
      locations.push(new PprofLocation({ id, line: [new Line({ functionId: fn, line, column })] }));
    }
    return id;
  }

  // One pprof sample per (stack, isolate): V8's samples of one stack differ only in object size.
  const perKey = new Map<string, { stack: number; thread: number; count: number; size: number }>();
  const { stack, size, count } = trace.samples;
  for (let i = 0; i < stack.length; i++) {
    const thread = threadOfSample(trace, i);
    const key = `${stack[i]}:${thread}`;
    let entry = perKey.get(key);
    if (entry === undefined) perKey.set(key, (entry = { stack: stack[i]!, thread, count: 0, size: 0 }));
    entry.count += count[i]!;
    entry.size += size[i]!;
  }
  const threads = threadsOf(trace);
  const threadKey = strings.dedup('thread');
  const threadIdKey = strings.dedup('thread_id');
  const pidKey = strings.dedup('pid');
  const samples: Sample[] = [];
  for (const entry of perKey.values()) {
    const ids: number[] = [];
    for (let node = entry.stack, callee = -1; node >= 0; callee = node, node = trace.stacks.parent[node]!) {
      ids.push(locationId(node, callee));
    }
    const thread = threads[entry.thread];
    const labels: Label[] = [];
    if (thread !== undefined) {
      labels.push(new Label({ key: threadKey, str: strings.dedup(thread.name) }));
      // Zero is protobuf's default, so the main thread carries no id (its name is `main`).
      if (thread.id !== 0) labels.push(new Label({ key: threadIdKey, num: thread.id }));
      if (thread.pid !== null) labels.push(new Label({ key: pidKey, num: thread.pid }));
    }
    samples.push(new Sample({ locationId: ids, value: [Math.round(entry.count), Math.round(entry.size)], label: labels }));
  }

  const [objects, space] = pprofSampleTypes(trace);
  const start = trace.meta.startTime === null ? NaN : Date.parse(trace.meta.startTime);
  const end = trace.meta.time === null ? NaN : Date.parse(trace.meta.time);
  const comments = [`alloctrace: ${trace.meta.mode ?? 'unknown'} memory, sampling interval ${trace.meta.interval ?? 'unknown'} B`, ...trace.meta.notes];
  const profile = new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup(objects), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup(space), unit: strings.dedup('bytes') }),
    ],
    sample: samples,
    location: locations,
    function: functions,
    periodType: new ValueType({ type: strings.dedup('space'), unit: strings.dedup('bytes') }),
    period: trace.meta.interval ?? 0,
    timeNanos: Number.isFinite(start) ? BigInt(start) * 1_000_000n : 0,
    durationNanos: Number.isFinite(start) && Number.isFinite(end) && end >= start ? BigInt(end - start) * 1_000_000n : 0,
    comment: comments.map((c) => strings.dedup(c)),
    defaultSampleType: strings.dedup(space),
    stringTable: strings,
  });
  return profile.encode();
}

/** A trace as a gzipped `profile.proto` (`.pb.gz`), as pprof tools expect it. */
export function traceToPprof(trace: TraceFile): Uint8Array {
  return gzipSync(traceToPprofProto(trace));
}
