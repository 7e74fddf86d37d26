/**
 * A heap snapshot's partition as an object trace: one sample per (allocating stack, kind), with
 * exact sizes and counts. The stacks come from the allocation tracker's `trace_tree`, whose
 * frames are functions (as the sampler's): they go through the same import as a sampling
 * profile (`traceFromV8Profile`), so alloctrace's own frames, top-level code and collected
 * scripts are treated alike, and the pipeline then maps and proves lines as for any trace.
 */
import type { ScriptRecord, TraceFile, TraceMeta } from '../trace/format';
import { traceFromV8Profile, type ImportOptions, type V8ProfileNode, type V8Sample } from '../trace/v8-profile';
import { partitionHeap } from './kinds';
import { readHeapSnapshot, type ParsedSnapshot } from './parse';
import { newMeta } from '../trace/meta';

/** The pseudo frame of objects without an allocating stack (allocated before tracking, or a census). */
export const UNTRACKED_FRAME = '(untracked)';

export interface ObjectTraceOptions {
  meta: TraceMeta;
  producer: string;
  own?: ImportOptions['own'];
  /**
   * Scripts of the sampling trace written beside the snapshot: their in-memory maps and code
   * (loaders such as tsx) are carried over to the same URLs.
   */
  scripts?: readonly ScriptRecord[];
}

export function traceFromHeapSnapshot(snapshot: ParsedSnapshot, options: ObjectTraceOptions): TraceFile {
  const partition = partitionHeap(snapshot);
  const { strings, functions, tree } = snapshot;
  const frameOf = (fn: number): V8ProfileNode['callFrame'] => {
    const info = functions[fn];
    if (info === undefined) return { functionName: '(unknown)', scriptId: 0, url: '', lineNumber: -1, columnNumber: -1 };
    // trace_function_infos positions are 1-based (0: unknown); V8's call frames are 0-based.
    return { functionName: strings[info.name] ?? '', scriptId: info.scriptId, url: strings[info.scriptName] ?? '', lineNumber: info.line - 1, columnNumber: info.column - 1 };
  };

  const byId = new Map<number, V8ProfileNode>();
  let head: V8ProfileNode | null = null;
  for (let i = 0; i < tree.id.length; i++) {
    const node: V8ProfileNode = { callFrame: frameOf(tree.fn[i]!), selfSize: 0, id: tree.id[i]!, children: [] };
    byId.set(node.id, node);
    const parent = byId.get(tree.parent[i]!);
    if (parent !== undefined) parent.children.push(node);
    else head ??= node;
  }
  head ??= { callFrame: { functionName: '(root)', scriptId: 0, url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: 1, children: [] };
  // Objects without a stack hang under a pseudo frame of their own.
  let untrackedId = 0;
  for (const id of byId.keys()) untrackedId = Math.max(untrackedId, id);
  untrackedId += 1;
  const untracked: V8ProfileNode = { callFrame: { functionName: UNTRACKED_FRAME, scriptId: 0, url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: untrackedId, children: [] };
  head.children.push(untracked);

  const samples: V8Sample[] = [];
  partition.groups.forEach((g, i) => {
    if (!(g.size > 0)) return;
    const node = g.traceNode === 0 ? untracked : (byId.get(g.traceNode) ?? untracked);
    node.selfSize += g.size;
    // The group's index as ordinal: read back below to give each sample its kind and count.
    samples.push({ size: g.size, nodeId: node.id, ordinal: i, estimate: { size: g.size, count: Math.max(1, g.count) } });
  });

  const meta: TraceMeta = { ...options.meta, interval: null, objects: snapshot.tracked ? 'tracked' : 'census' };
  const imported = traceFromV8Profile({ head, samples }, { meta, producer: options.producer, ...(options.own === undefined ? {} : { own: options.own }), ownFilesLoadFirst: true });
  const kind: number[] = [];
  const { ordinal, count, size } = imported.samples;
  for (let i = 0; i < ordinal.length; i++) {
    const g = partition.groups[ordinal[i]!]!;
    kind.push(g.kind);
    count[i] = Math.max(1, g.count);
    size[i] = g.size;
    ordinal[i] = i;
  }
  imported.samples.kind = kind;
  imported.kinds = partition.kinds;
  carryScripts(imported.scripts, options.scripts ?? []);
  return imported;
}

/** What the sampling trace knew of a script that the snapshot's frames name too. */
function carryScripts(scripts: ScriptRecord[], from: readonly ScriptRecord[]): void {
  const byUrl = new Map(from.map((s) => [s.url, s]));
  for (const script of scripts) {
    const known = byUrl.get(script.url);
    if (known === undefined) continue;
    if (known.memoryMap !== undefined) script.memoryMap = known.memoryMap;
    if (known.memoryCode !== undefined) script.memoryCode = known.memoryCode;
    if (known.evalOf !== undefined) script.evalOf = known.evalOf;
    if (known.exactLines !== undefined) script.exactLines = known.exactLines;
  }
}

/**
 * A `.heapsnapshot` file someone else wrote (Chrome DevTools, `node --heapsnapshot-signal`,
 * `v8.writeHeapSnapshot`) as an object trace: with stacks when it was recorded with allocation
 * tracking, else a census. `root`: the project its paths are relative to.
 */
export function importHeapSnapshot(file: string, name: string, options: { root: string | null; producer: string }): TraceFile {
  const parsed = readHeapSnapshot(file, name);
  const how = parsed.tracked ? 'with allocation stacks' : 'without allocation stacks (a census: record with --track-heap-objects, or DevTools\' "allocation stacks", for lines)';
  const meta = newMeta({ root: options.root, interval: null, reason: 'import', notes: [`imported heap snapshot ${name}, ${how}`] });
  return traceFromHeapSnapshot(parsed, { meta, producer: options.producer });
}
