/**
 * Import of V8's sampling heap profile (inspector `HeapProfiler.getSamplingProfile`, and the
 * `.heapprofile` files of `node --heap-prof` and Chrome DevTools) into the trace model.
 * Pure: no I/O. This is the one place where V8's 0-based positions become 1-based.
 */
import type { FrameRecord, ScriptRecord, TraceFile, TraceMeta } from './format';
import { TRACE_FORMAT, TRACE_VERSION } from './format';
import { countsFromNodeTotal, candidateCache, objectAlignment } from './node-totals';
import { estimateSample, sampleEstimator, sampleWeight } from './scaling';
import { posteriorEstimates, type AmbiguousSample } from './size-posterior';
import { EstimateMemo } from './estimate-memo';
import { Interner } from './intern';
import { pruneUnsampled } from './prune';
import { fileOfUrl, relativeToRoot } from './paths';

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
  /** The sampled object's own size, where V8 reports it (not the inspector of Node 20–26). */
  objectSize?: number;
  /** alloctrace's estimate, in its own `.heapprofile` exports (report/heapprofile.ts). */
  estimate?: { size: number; count: number };
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
  /**
   * The estimates given so far in this profiling session (one per thread's sampler), so that a
   * sample still retained reads the same in every snapshot of a series: without it, each reading
   * re-fits the size posterior and node totals, and a steadily growing site can dip.
   */
  memo?: EstimateMemo;
}

// Kept exported from here for code written before `paths.ts` existed.
export { ANONYMOUS_SCRIPT, fileOfUrl, relativeToRoot } from './paths';

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

/** How alloctrace's `.heapprofile` export names Node's unloaded bootstrap scripts and top-level code. */
export const BOOTSTRAP_NAME = '(node bootstrap)';
export const BOOTSTRAP_URL = 'node:internal/bootstrap (unloaded)';
const EXPORTED_TOP_LEVEL = '(top level)';

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
    let name = cf.functionName ?? '';
    const scriptId = Number(cf.scriptId) || 0;
    const url = cf.url ?? '';
    // alloctrace's own export names what V8 leaves unnamed: read those names back as V8's.
    if (url === BOOTSTRAP_URL && cf.lineNumber < 0 && scriptId > 0) return { kind: 'collected', name: name === BOOTSTRAP_NAME ? '' : name, scriptId, bootstrap: true };
    if (url === '' && cf.lineNumber < 0 && name === `(collected script #${scriptId})`) name = '';
    if (name === EXPORTED_TOP_LEVEL && cf.lineNumber === 0 && cf.columnNumber <= 0) name = '';
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
    const estimates = interval === null ? null : sampleEstimates(profile.samples, selfSizeOfNode, interval, options.memo);
    for (const s of profile.samples) {
      const stack = stackOfNode.get(s.nodeId);
      if (stack === undefined || !(s.size > 0)) continue;
      const { size, count } = estimates?.estimate(s) ?? { size: s.size, count: 1 };
      if (cutNodes.has(s.nodeId)) cutBytes += size;
      samples.stack.push(stack);
      // Estimates, stored to a precision that cannot matter (1/100 byte, 1e-6 allocation):
      // full doubles would double the file, and parsing the file is the floor of every report.
      samples.size.push(Math.round(size * 100) / 100);
      samples.count.push(Math.round(count * 1e6) / 1e6);
      samples.ordinal.push(typeof s.ordinal === 'number' ? s.ordinal : samples.ordinal.length);
    }
    estimates?.done();
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

/** Samples a site needs for its own size distribution (size-posterior.ts). */
const MIN_SITE_SAMPLES = 50;

/**
 * The `{ size, count }` each sample stands for. The object size is known where V8 gives it
 * (`objectSize`), where one size fits the product, or where the node's total decides it
 * (node-totals.ts); then the estimate is the unbiased `s / p(s)`. The remaining samples get the
 * expectation over their candidate sizes under the profile's own size distribution
 * (size-posterior.ts). Products V8's scaling cannot produce (another interval, an edited file)
 * fall back to the closest real solution. With a memo, a `(node, product)` estimated in an
 * earlier reading of the session keeps that estimate (a posterior re-fitted on every snapshot
 * moved retained samples, and a steadily growing leak dipped in 1 of 34 intervals).
 */
function sampleEstimates(
  samples: readonly V8Sample[],
  selfSizeOfNode: ReadonlyMap<number, number>,
  interval: number,
  memo: EstimateMemo | undefined,
): { estimate: (s: V8Sample) => { size: number; count: number }; done: () => void } {
  const sizesOfNode = new Map<number, number[]>();
  const products: number[] = [];
  for (const s of samples) {
    if (!(s.size > 0)) continue;
    products.push(s.size);
    let sizes = sizesOfNode.get(s.nodeId);
    if (sizes === undefined) sizesOfNode.set(s.nodeId, (sizes = []));
    sizes.push(s.size);
  }
  const candidates = candidateCache(objectAlignment(products));
  const decided = new Map<number, Map<number, number>>();
  for (const [nodeId, sizes] of sizesOfNode) {
    decided.set(nodeId, countsFromNodeTotal(sizes, selfSizeOfNode.get(nodeId) ?? -1, interval, candidates));
  }
  const exact = (objectSize: number): { size: number; count: number } => {
    const count = sampleWeight(objectSize, interval);
    return { size: objectSize * count, count };
  };
  // Per node (one allocation site), the sizes decided and the samples left ambiguous.
  const perNode = new Map<number, { known: number[]; ambiguous: AmbiguousSample[] }>();
  const allKnown: number[] = [];
  const allAmbiguous: AmbiguousSample[] = [];
  for (const s of samples) {
    if (!(s.size > 0)) continue;
    let site = perNode.get(s.nodeId);
    if (site === undefined) perNode.set(s.nodeId, (site = { known: [], ambiguous: [] }));
    const n = decided.get(s.nodeId)?.get(s.size);
    const objectSize = typeof s.objectSize === 'number' && s.objectSize > 0 ? s.objectSize : n !== undefined ? s.size / n : null;
    if (objectSize !== null) {
      site.known.push(objectSize);
      allKnown.push(objectSize);
      continue;
    }
    const counts = candidates(s.size, interval);
    if (counts.length === 0) continue;
    site.ambiguous.push({ v8Size: s.size, counts });
    allAmbiguous.push({ v8Size: s.size, counts });
  }
  // A site's own size distribution where it has enough samples to show one (sites differ: the
  // sizes one allocates say little about another's); the whole profile's elsewhere.
  // Fitted only when a sample needs it: in a series most samples were estimated in an earlier
  // reading (the memo), and a reading with nothing new fits nothing.
  let fitted: { global: Map<number, { size: number; count: number }>; perSite: Map<number, Map<number, { size: number; count: number }>> } | null = null;
  const posterior = (): NonNullable<typeof fitted> => {
    if (fitted !== null) return fitted;
    const perSite = new Map<number, Map<number, { size: number; count: number }>>();
    for (const [nodeId, site] of perNode) {
      if (site.ambiguous.length > 0 && site.known.length + site.ambiguous.length >= MIN_SITE_SAMPLES) perSite.set(nodeId, posteriorEstimates(site.ambiguous, site.known, interval));
    }
    return (fitted = { global: posteriorEstimates(allAmbiguous, allKnown, interval), perSite });
  };
  const fallback = sampleEstimator(interval);
  const inferred = (s: V8Sample): { size: number; count: number } => {
    const n = decided.get(s.nodeId)?.get(s.size);
    if (n !== undefined) return estimateSample(s.size, interval, n);
    const { global, perSite } = posterior();
    return perSite.get(s.nodeId)?.get(s.size) ?? global.get(s.size) ?? fallback(s.size);
  };
  const used = new EstimateMemo();
  return {
    estimate: (s) => {
      const e = s.estimate;
      if (e !== undefined && e !== null && typeof e === 'object' && e.size > 0 && e.count > 0 && Number.isFinite(e.size) && Number.isFinite(e.count)) return { size: e.size, count: e.count };
      if (typeof s.objectSize === 'number' && s.objectSize > 0) return exact(s.objectSize);
      return memo === undefined ? inferred(s) : memo.estimate(s.nodeId, s.size, () => inferred(s), used);
    },
    done: () => memo?.replaceWith(used),
  };
}
