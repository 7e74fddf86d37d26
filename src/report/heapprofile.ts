/**
 * Export to V8's sampling heap profile format (`.heapprofile`), which Chrome DevTools (Memory
 * panel → Load) and speedscope open. Frames carry original positions where resolved, so those
 * tools show TypeScript files and lines. Pure.
 */
import { TOP_LEVEL } from '../analyze/location';
import type { TraceFile } from '../trace/format';
import { groupTotal } from '../trace/node-totals';
import { scaledCount } from '../trace/scaling';
import { BOOTSTRAP_NAME, BOOTSTRAP_URL, type V8ProfileNode, type V8Sample, type V8SamplingProfile } from '../trace/v8-profile';

export interface ExportOptions {
  /** Keep generated positions instead of original ones. */
  generated: boolean;
}

/**
 * One script id per original source (per generated script when unmapped), numbered in script
 * order: DevTools keys functions by name, script id and position, so two files of one bundle
 * sharing the bundle's id would merge their same-named functions into one row.
 */
function scriptIds(trace: TraceFile, options: ExportOptions): (script: number, source: string | undefined) => number {
  const keys = new Set<string>();
  for (const frame of trace.frames) {
    if (frame.kind !== 'script') continue;
    keys.add(JSON.stringify([frame.script, options.generated ? null : (frame.original?.source ?? null)]));
  }
  const ids = new Map<string, number>();
  const sorted = [...keys].map((k) => JSON.parse(k) as [number, string | null]).sort((a, b) => a[0] - b[0] || String(a[1]).localeCompare(String(b[1])));
  sorted.forEach((k, i) => ids.set(JSON.stringify(k), i + 1));
  return (script, source) => ids.get(JSON.stringify([script, options.generated ? null : (source ?? null)])) ?? script + 1;
}

export function traceToHeapProfile(trace: TraceFile, options: ExportOptions): V8SamplingProfile {
  const root: V8ProfileNode = {
    callFrame: { functionName: '(root)', scriptId: 0, url: '', lineNumber: -1, columnNumber: -1 },
    selfSize: 0,
    id: 1,
    children: [],
  };
  const nodes: V8ProfileNode[] = [];
  const { frame: frameOf, parent: parentOf } = trace.stacks;
  const scriptIdOf = scriptIds(trace, options);
  for (let i = 0; i < frameOf.length; i++) {
    const frame = trace.frames[frameOf[i]!]!;
    let callFrame: V8ProfileNode['callFrame'];
    switch (frame.kind) {
      case 'script': {
        const script = trace.scripts[frame.script];
        const original = options.generated ? undefined : frame.original;
        callFrame = {
          // DevTools shows "" as "(anonymous)": the module's top level gets the report's name.
          functionName: frame.topLevel === true ? TOP_LEVEL : original?.name ?? frame.name,
          scriptId: scriptIdOf(frame.script, original?.source),
          url: original?.source ?? script?.url ?? '',
          lineNumber: (original?.line ?? frame.line) - 1,
          columnNumber: (original?.column ?? frame.column) - 1,
        };
        break;
      }
      case 'collected':
        callFrame =
          frame.bootstrap === true
            ? { functionName: frame.name || BOOTSTRAP_NAME, scriptId: frame.scriptId, url: BOOTSTRAP_URL, lineNumber: -1, columnNumber: -1 }
            : { functionName: frame.name || `(collected script #${frame.scriptId})`, scriptId: frame.scriptId, url: '', lineNumber: -1, columnNumber: -1 };
        break;
      case 'builtin':
      case 'pseudo':
        callFrame = { functionName: frame.name, scriptId: 0, url: '', lineNumber: -1, columnNumber: -1 };
        break;
    }
    const node: V8ProfileNode = { callFrame, selfSize: 0, id: i + 2, children: [] };
    nodes.push(node);
    const parent = parentOf[i]!;
    (parent < 0 ? root : nodes[parent]!).children.push(node);
  }
  const samples: V8Sample[] = [];
  const { stack, size, count, ordinal } = trace.samples;
  const interval = trace.meta.interval;
  /** Per node, samples per object size: V8's `selfSize` rounds each group once. */
  const groups = new Map<V8ProfileNode, Map<number, number>>();
  for (let i = 0; i < stack.length; i++) {
    const node = nodes[stack[i]!]!;
    // Back to V8's own scaling (object size × rounded count), so that reading the export
    // again, here or in DevTools, gives the same estimates.
    const objectSize = Math.round(size[i]! / count[i]!);
    const bytes = interval === null ? Math.round(size[i]!) : objectSize * scaledCount(objectSize, interval);
    if (interval === null) node.selfSize += bytes;
    else {
      let bySize = groups.get(node);
      if (bySize === undefined) groups.set(node, (bySize = new Map()));
      bySize.set(objectSize, (bySize.get(objectSize) ?? 0) + 1);
    }
    // alloctrace's own estimate too (other readers ignore it): where V8's product was ambiguous it
    // is an expectation over candidate sizes that the product alone does not reproduce.
    samples.push({ size: bytes, nodeId: node.id, ordinal: ordinal[i]!, estimate: { size: size[i]!, count: count[i]! } });
  }
  if (interval !== null) {
    for (const [node, bySize] of groups) {
      for (const [objectSize, k] of bySize) node.selfSize += groupTotal(objectSize, k, interval);
    }
  }
  return { head: root, samples };
}
