/**
 * Import of V8's sampling heap profile (inspector `HeapProfiler.getSamplingProfile`, and the
 * `.heapprofile` files of `node --heap-prof` and Chrome DevTools) into the trace model.
 * Pure: no I/O. This is the one place where V8's 0-based positions become 1-based.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrameRecord, ScriptRecord, TraceFile, TraceMeta } from './format';
import { TRACE_FORMAT, TRACE_VERSION } from './format';
import { countsFromNodeTotal, candidateCache } from './node-totals';
import { estimateSample, sampleEstimator } from './scaling';
import { Interner } from './intern';
import { pruneUnsampled } from './prune';

export interface V8CallFrame {
  functionName: string;
  scriptId: string | number;
  url: string;
  /** 0-based. */
  lineNumber: number;
  /** 0-based. */
  columnNumber: number;
}

export interface V8ProfileNode {
  callFrame: V8CallFrame;
  selfSize: number;
  id: number;
  children: V8ProfileNode[];
}

export interface V8Sample {
  size: number;
  nodeId: number;
  ordinal: number;
}

export interface V8SamplingProfile {
  head: V8ProfileNode;
  samples?: V8Sample[];
}

export interface ImportOptions {
  meta: TraceMeta;
  producer: string;
  /**
   * The profiler's own code, running inside the traced process. Its pass-through frames
   * (`passThrough` names) are spliced out of stacks; samples under any other of its frames are
   * its own allocations and are dropped.
   */
  own?: { isOwnUrl: (url: string) => boolean; passThrough: ReadonlySet<string> };
  /**
   * Whether a collected script older than every file script is Node's own bootstrap code. True
   * only where a file script of ours loaded before the program (the preload); in a profile
   * written by someone else (`node --heap-prof`) the oldest file is the program's entry, which
   * is exactly the script Node 20 collects once it finished.
   */
  ownFilesLoadFirst?: boolean;
}

/** Absolute file path of a script URL, or `null` when it is not a local file. */
export function fileOfUrl(url: string): string | null {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return path.isAbsolute(url) ? url : null;
}

/** `file` relative to `root` with `/` separators; absolute when outside the root's drive. */
export function relativeToRoot(root: string | null, file: string): string {
  if (root === null) return file;
  const rel = path.relative(root, file);
  if (rel === '' || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

/** The URL given to a script V8 reports without one (eval'd code): `<anonymous script #12>`. */
export const ANONYMOUS_SCRIPT = /^<anonymous script #(\d+)>$/;

function anonymousScriptUrl(scriptId: number): string {
  return `<anonymous script #${scriptId}>`;
}

function isPseudoName(name: string): boolean {
  return name.startsWith('(') && name.endsWith(')');
}

/**
 * Frames V8 keeps per sampled stack (its default, the same on Node 20 to 26). Deeper stacks keep
 * their innermost frames. Node 26 accepts a larger `stackDepth`, but a profile nested much deeper
 * than this aborts the process when the inspector serializes it, so it is never raised.
 */
export const V8_STACK_DEPTH = 128;

function stackCutNote(cutBytes: number, sizes: readonly number[]): string {
  const total = sizes.reduce((a, b) => a + b, 0);
  const share = total > 0 ? Math.max(1, Math.round((cutBytes / total) * 100)) : 100;
  return `${share}% of sampled bytes come from stacks deeper than V8's limit of ${V8_STACK_DEPTH} frames: their outermost callers are missing`;
}

export function traceFromV8Profile(profile: V8SamplingProfile, options: ImportOptions): TraceFile {
  const { meta } = options;
  const stackFrame: number[] = [];
  const stackParent: number[] = [];
  const stackOfNode = new Map<number, number>();

  const scriptTable = new Interner<ScriptRecord>();
  const scriptOf = (url: string): number =>
    scriptTable.indexOf(url, () => {
      const file = fileOfUrl(url);
      return { url, path: file === null ? null : relativeToRoot(meta.root, file), map: 'unresolved' };
    });
  const frameTable = new Interner<FrameRecord>();
  const intern = (frame: FrameRecord): number => frameTable.indexOf(JSON.stringify(frame), () => frame);

  // Script ids grow in compilation order: a collected script older than every file of the
  // program is one of Node's bootstrap scripts.
  let firstFileScriptId = Infinity;
  for (const pending = [profile.head]; pending.length > 0; ) {
    const node = pending.pop()!;
    const id = Number(node.callFrame.scriptId) || 0;
    if (id > 0 && id < firstFileScriptId && fileOfUrl(node.callFrame.url ?? '') !== null) firstFileScriptId = id;
    for (const child of node.children ?? []) pending.push(child);
  }

  const frameOf = (cf: V8CallFrame): FrameRecord => {
    const name = cf.functionName ?? '';
    const scriptId = Number(cf.scriptId) || 0;
    const url = cf.url ?? '';
    if (url === '') {
      if (isPseudoName(name)) return { kind: 'pseudo', name };
      if (scriptId === 0) return { kind: 'builtin', name };
      if (cf.lineNumber < 0) {
        return options.ownFilesLoadFirst === true && scriptId < firstFileScriptId ? { kind: 'collected', name, scriptId, bootstrap: true } : { kind: 'collected', name, scriptId };
      }
    }
    if (cf.lineNumber < 0) return { kind: 'builtin', name };
    const scriptUrl = url === '' ? anonymousScriptUrl(scriptId) : url;
    const line = cf.lineNumber + 1;
    const column = cf.columnNumber + 1;
    // The CommonJS wrapper and an ES module body both start at the very beginning.
    const topLevel = name === '' && line === 1 && column <= 1;
    const frame: FrameRecord = { kind: 'script', name, script: scriptOf(scriptUrl), line, column };
    if (topLevel) frame.topLevel = true;
    return frame;
  };

  // Iterative walk: recursion in the traced program makes deep trees. (root) itself is dropped.
  // `depth` counts V8's frames (ours included), to spot stacks V8 cut at its depth limit.
  const work: Array<{ node: V8ProfileNode; parent: number; depth: number }> = [];
  for (const child of profile.head.children ?? []) work.push({ node: child, parent: -1, depth: 1 });
  const selfSizes: Array<{ stack: number; size: number; cut: boolean }> = [];
  const cutNodes = new Set<number>();
  const own = options.own;
  const selfSizeOfNode = new Map<number, number>();
  while (work.length > 0) {
    const { node, parent, depth } = work.pop()!;
    selfSizeOfNode.set(node.id, node.selfSize);
    if (depth >= V8_STACK_DEPTH) cutNodes.add(node.id);
    if (own !== undefined && own.isOwnUrl(node.callFrame.url)) {
      if (own.passThrough.has(node.callFrame.functionName)) {
        if (parent >= 0) stackOfNode.set(node.id, parent);
        for (const child of node.children ?? []) work.push({ node: child, parent, depth: depth + 1 });
      }
      continue;
    }
    const stack = stackFrame.length;
    stackFrame.push(intern(frameOf(node.callFrame)));
    stackParent.push(parent);
    stackOfNode.set(node.id, stack);
    if (node.selfSize > 0) selfSizes.push({ stack, size: node.selfSize, cut: cutNodes.has(node.id) });
    for (const child of node.children ?? []) work.push({ node: child, parent: stack, depth: depth + 1 });
  }

  const interval = meta.interval;
  const estimate = interval === null ? null : sampleEstimator(interval);
  const samples: TraceFile['samples'] = { stack: [], size: [], count: [], ordinal: [] };
  let cutBytes = 0;
  if (profile.samples !== undefined) {
    const known = interval === null ? null : countsByNode(profile.samples, selfSizeOfNode, interval);
    for (const s of profile.samples) {
      const stack = stackOfNode.get(s.nodeId);
      if (stack === undefined || !(s.size > 0)) continue;
      const n = known?.get(s.nodeId)?.get(s.size);
      const { size, count } =
        estimate === null || interval === null ? { size: s.size, count: 1 } : n === undefined ? estimate(s.size) : estimateSample(s.size, interval, n);
      if (cutNodes.has(s.nodeId)) cutBytes += size;
      samples.stack.push(stack);
      // Estimates, stored to a precision that cannot matter (1/100 byte, 1e-6 allocation):
      // full doubles would double the file, and parsing the file is the floor of every report.
      samples.size.push(Math.round(size * 100) / 100);
      samples.count.push(Math.round(count * 1e6) / 1e6);
      samples.ordinal.push(typeof s.ordinal === 'number' ? s.ordinal : samples.ordinal.length);
    }
  } else {
    // Old profiles carry only per-node totals: one pseudo-sample per node.
    for (const [i, { stack, size, cut }] of selfSizes.entries()) {
      if (cut) cutBytes += size;
      samples.stack.push(stack);
      samples.size.push(size);
      samples.count.push(estimate === null || interval === null ? 1 : Math.max(1, Math.round(size / interval)));
      samples.ordinal.push(i);
    }
  }

  return pruneUnsampled({
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    producer: options.producer,
    meta: cutBytes > 0 ? { ...meta, notes: [...meta.notes, stackCutNote(cutBytes, samples.size)] } : meta,
    scripts: scriptTable.values,
    frames: frameTable.values,
    stacks: { frame: stackFrame, parent: stackParent },
    samples,
  });
}

/**
 * Per node, the `n` V8 scaled each reported size by, where the node's `selfSize` decides it
 * (node-totals.ts); nodes it cannot decide are left out and fall back to `estimateCount`.
 */
function countsByNode(samples: readonly V8Sample[], selfSizeOfNode: ReadonlyMap<number, number>, interval: number): Map<number, Map<number, number>> {
  const sizesOfNode = new Map<number, number[]>();
  for (const s of samples) {
    if (!(s.size > 0)) continue;
    let sizes = sizesOfNode.get(s.nodeId);
    if (sizes === undefined) sizesOfNode.set(s.nodeId, (sizes = []));
    sizes.push(s.size);
  }
  const candidates = candidateCache();
  const out = new Map<number, Map<number, number>>();
  for (const [nodeId, sizes] of sizesOfNode) {
    const selfSize = selfSizeOfNode.get(nodeId);
    if (selfSize === undefined) continue;
    const counts = countsFromNodeTotal(sizes, selfSize, interval, candidates);
    if (counts !== null) out.set(nodeId, counts);
  }
  return out;
}
