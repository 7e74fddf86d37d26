/**
 * Merging traces of several isolates (a process's worker threads, child processes) into one
 * trace whose samples keep a thread label, and picking isolates out of it again. Pure.
 */
import * as path from 'node:path';
import { AlloctraceError } from '../errors';
import type { CodePoint, FrameRecord, KindRecord, LineRecord, ScriptRecord, ThreadRecord, TraceFile, TraceMeta } from './format';
import { fileOfUrl, relativeToRoot } from './paths';
import { Interner } from './intern';

/** The isolates a trace's samples come from: its `threads` table, or its own meta. */
export function threadsOf(trace: TraceFile): ThreadRecord[] {
  if (trace.threads !== undefined) return trace.threads;
  const { pid, thread, argv } = trace.meta;
  return [{ pid, id: thread.id, name: thread.name, argv }];
}

/** Isolate index of sample `i`. */
export function threadOfSample(trace: TraceFile, i: number): number {
  return trace.samples.thread?.[i] ?? 0;
}

/** `pid 4242 main`, `pid 4242 worker 1 (hasher)`. */
export function threadLabel(thread: ThreadRecord): string {
  const who = thread.id === 0 ? 'main' : `worker ${thread.id}`;
  const name = thread.id !== 0 && thread.name !== '' && thread.name !== who ? ` (${thread.name})` : '';
  return `${thread.pid === null ? '' : `pid ${thread.pid} `}${who}${name}`;
}

function threadKey(t: ThreadRecord): string {
  return `${t.pid ?? '?'}\u0000${t.id}`;
}

/** Same-isolate traces (a series of snapshots of one thread): only the latest counts. */
function latestPerIsolate(traces: readonly TraceFile[]): TraceFile[] {
  const latest = new Map<string, TraceFile>();
  const out: TraceFile[] = [];
  for (const trace of traces) {
    const { pid, thread, startTime } = trace.meta;
    if (trace.threads !== undefined || pid === null) {
      out.push(trace);
      continue;
    }
    const key = `${pid}\u0000${thread.id}\u0000${startTime ?? ''}`;
    const seen = latest.get(key);
    if (seen === undefined || trace.meta.sequence > seen.meta.sequence || (trace.meta.sequence === seen.meta.sequence && (trace.meta.time ?? '') > (seen.meta.time ?? ''))) {
      latest.set(key, trace);
    }
  }
  return [...out, ...latest.values()];
}

/** A path recorded relative to `from` (or absolute, or a URL), re-expressed relative to `to`. */
function rebase(p: string, from: string | null, to: string | null): string {
  if (from === to || from === null || to === null) return p;
  if (/^[a-z][a-z0-9+.-]*:/i.test(p) || path.isAbsolute(p)) return p;
  return relativeToRoot(to, path.resolve(from, p));
}

function rebasePoint(point: CodePoint, from: string | null, to: string | null): CodePoint {
  return point.original === undefined ? point : { ...point, original: { ...point.original, source: rebase(point.original.source, from, to) } };
}

/** A proven line (`stacks.call`, frames' `self`) with its original sources re-expressed for `to`. */
function rebaseLine(record: LineRecord, from: string | null, to: string | null): LineRecord {
  if (from === to) return record;
  return 'exact' in record ? { exact: rebasePoint(record.exact, from, to) } : { candidates: record.candidates.map((p) => rebasePoint(p, from, to)) };
}

function same<T>(values: readonly T[]): T | null {
  const first = values[0];
  return first !== undefined && values.every((v) => v === first) ? first : null;
}

/**
 * One trace holding the samples of all `traces`, each labelled with its isolate
 * (`threads` + `samples.thread`). A single trace is returned as it is. Traces of the same isolate
 * (snapshots of one thread) are not added up: the latest one is kept.
 */
export function mergeTraces(traces: readonly TraceFile[]): TraceFile {
  if (traces.length === 0) throw new AlloctraceError('ERR_USAGE', 'no traces to merge');
  if (traces.length === 1) return traces[0]!;
  const kept = latestPerIsolate(traces).sort(
    (a, b) => (a.meta.startTime ?? '').localeCompare(b.meta.startTime ?? '') || (a.meta.pid ?? 0) - (b.meta.pid ?? 0) || a.meta.thread.id - b.meta.thread.id,
  );
  if (kept.length === 1) return kept[0]!;
  const first = kept[0]!;
  const root = first.meta.root;
  const threads = new Interner<ThreadRecord>();
  const scripts = new Interner<ScriptRecord>();
  const frames = new Interner<FrameRecord>();
  const stacks: TraceFile['stacks'] = { frame: [], parent: [] };
  // Proven call lines (resolved traces): kept per stack, `null` where a trace has none.
  const call: Array<LineRecord | null> | null = kept.some((t) => t.stacks.call !== undefined) ? [] : null;
  const samples: Omit<Required<TraceFile['samples']>, 'kind'> & { kind?: number[] } = { stack: [], size: [], count: [], ordinal: [], thread: [] };
  const notes: string[] = [];
  // Object traces (kinds per sample) merge their kinds by name; kept only when every trace has them.
  const kinds = kept.every((t) => t.kinds !== undefined && t.samples.kind !== undefined) ? new Interner<KindRecord>() : null;
  if (kinds !== null) samples.kind = [];

  for (const trace of kept) {
    const from = trace.meta.root;
    const localThreads = threadsOf(trace).map((t) => threads.indexOf(threadKey(t), () => t));
    const label = trace.threads === undefined ? threadLabel(threadsOf(trace)[0]!) : null;
    for (const note of trace.meta.notes) {
      const line = label === null ? note : `${label}: ${note}`;
      if (!notes.includes(line)) notes.push(line);
    }
    const scriptMap = trace.scripts.map((s) => {
      const file = fileOfUrl(s.url);
      const record: ScriptRecord = { ...s, path: file === null ? s.path : relativeToRoot(root, file) };
      return scripts.indexOf(JSON.stringify([record.url, record.map, record.mapError ?? null]), () => record);
    });
    const frameMap = trace.frames.map((f) => {
      let frame: FrameRecord = f;
      if (f.kind === 'script') {
        frame = { ...f, script: scriptMap[f.script] ?? 0 };
        if (f.original !== undefined) frame.original = { ...f.original, source: rebase(f.original.source, from, root) };
        if (f.self !== undefined) frame.self = rebaseLine(f.self, from, root);
      }
      return frames.indexOf(JSON.stringify(frame), () => frame);
    });
    const stackBase = stacks.frame.length;
    for (let s = 0; s < trace.stacks.frame.length; s++) {
      stacks.frame.push(frameMap[trace.stacks.frame[s]!] ?? 0);
      const parent = trace.stacks.parent[s]!;
      stacks.parent.push(parent < 0 ? -1 : parent + stackBase);
      if (call !== null) {
        const line = trace.stacks.call?.[s] ?? null;
        call.push(line === null ? null : rebaseLine(line, from, root));
      }
    }
    const n = trace.samples.stack.length;
    const kindMap = kinds === null ? null : (trace.kinds ?? []).map((k) => kinds.indexOf(`${k.name}\u0000${k.external === true}`, () => k));
    if (kindMap !== null) for (let i = 0; i < n; i++) samples.kind!.push(kindMap[trace.samples.kind![i]!] ?? 0);
    for (let i = 0; i < n; i++) {
      samples.stack.push(trace.samples.stack[i]! + stackBase);
      samples.size.push(trace.samples.size[i]!);
      samples.count.push(trace.samples.count[i]!);
      samples.ordinal.push(trace.samples.ordinal[i]!);
      samples.thread.push(localThreads[threadOfSample(trace, i)] ?? 0);
    }
  }

  const metas = kept.map((t) => t.meta);
  const intervals = same(metas.map((m) => m.interval));
  const modes = same(metas.map((m) => m.mode));
  if (intervals === null) notes.push('merged traces were sampled at different intervals: sizes and counts are still estimates of each');
  if (modes === null) notes.push('merged traces mix live and allocated modes');
  const times = metas.map((m) => m.time).filter((t): t is string => t !== null).sort();
  const starts = metas.map((m) => m.startTime).filter((t): t is string => t !== null).sort();
  const meta: TraceMeta = {
    ...first.meta,
    pid: same(threads.values.map((t) => t.pid)),
    interval: intervals,
    mode: modes,
    startTime: starts[0] ?? null,
    time: times[times.length - 1] ?? null,
    reason: same(metas.map((m) => m.reason)) ?? first.meta.reason,
    sequence: Math.max(...metas.map((m) => m.sequence)),
    flags: [...new Set(metas.flatMap((m) => m.flags))],
    notes,
  };
  // Object traces stay object traces: `tracked` only when every one has stacks (children of
  // `--types` write census snapshots: NODE_OPTIONS cannot carry --track-heap-objects).
  if (metas.every((m) => m.objects !== undefined)) meta.objects = metas.every((m) => m.objects === 'tracked') ? 'tracked' : 'census';
  else delete meta.objects;
  if (call !== null) stacks.call = call;
  const merged: TraceFile = { format: first.format, version: first.version, producer: first.producer, meta, threads: threads.values, scripts: scripts.values, frames: frames.values, stacks, samples };
  if (kinds !== null) merged.kinds = kinds.values;
  return merged;
}

/** Which isolates to report: `pid` and/or `thread` (a thread id, `main`, or a worker's name). */
export interface IsolateSelector {
  pid?: number | null;
  thread?: string | null;
}

function matchesThread(t: ThreadRecord, selector: string): boolean {
  if (/^\d+$/.test(selector)) return t.id === Number(selector);
  return selector === 'main' ? t.id === 0 : t.name === selector;
}

/**
 * The trace with only the samples of the selected isolates. An empty selection is a user error
 * that lists what the trace holds.
 */
export function selectIsolates(trace: TraceFile, selector: IsolateSelector): TraceFile {
  const { pid = null, thread = null } = selector;
  if (pid === null && thread === null) return trace;
  const threads = threadsOf(trace);
  const picked = new Set<number>();
  threads.forEach((t, i) => {
    if ((pid === null || t.pid === pid) && (thread === null || matchesThread(t, thread))) picked.add(i);
  });
  if (picked.size === 0) {
    const wanted = [pid === null ? null : `pid ${pid}`, thread === null ? null : `thread ${thread}`].filter((w) => w !== null).join(', ');
    throw new AlloctraceError('ERR_USAGE', `no ${wanted} in the trace (it holds: ${threads.map(threadLabel).join('; ')})`);
  }
  if (picked.size === threads.length) return trace;
  const samples: Omit<Required<TraceFile['samples']>, 'kind'> & { kind?: number[] } = { stack: [], size: [], count: [], ordinal: [], thread: [] };
  const kind = trace.samples.kind;
  if (kind !== undefined) samples.kind = [];
  for (let i = 0; i < trace.samples.stack.length; i++) {
    const t = threadOfSample(trace, i);
    if (!picked.has(t)) continue;
    if (kind !== undefined) samples.kind!.push(kind[i]!);
    samples.stack.push(trace.samples.stack[i]!);
    samples.size.push(trace.samples.size[i]!);
    samples.count.push(trace.samples.count[i]!);
    samples.ordinal.push(trace.samples.ordinal[i]!);
    samples.thread.push(t);
  }
  const only = picked.size === 1 ? threads[[...picked][0]!]! : null;
  const meta: TraceMeta = only === null ? trace.meta : { ...trace.meta, pid: only.pid, thread: { id: only.id, name: only.name }, argv: only.argv };
  return { ...trace, meta, samples };
}
