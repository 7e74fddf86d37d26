/**
 * Export to V8's sampling heap profile format (`.heapprofile`), which Chrome DevTools (Memory
 * panel → Load) and speedscope open. Frames carry original positions where resolved, so those
 * tools show TypeScript files and lines. Pure.
 */
import type { TraceFile } from '../trace/format';
import { scaledCount } from '../trace/scaling';
import type { V8ProfileNode, V8Sample, V8SamplingProfile } from '../trace/v8-profile';

export interface ExportOptions {
  /** Keep generated positions instead of original ones. */
  generated: boolean;
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
  for (let i = 0; i < frameOf.length; i++) {
    const frame = trace.frames[frameOf[i]!]!;
    let callFrame: V8ProfileNode['callFrame'];
    switch (frame.kind) {
      case 'script': {
        const script = trace.scripts[frame.script];
        const original = options.generated ? undefined : frame.original;
        callFrame = {
          functionName: original?.name ?? frame.name,
          scriptId: frame.script + 1,
          url: original?.source ?? script?.url ?? '',
          lineNumber: (original?.line ?? frame.line) - 1,
          columnNumber: (original?.column ?? frame.column) - 1,
        };
        break;
      }
      case 'collected':
        callFrame = { functionName: frame.name, scriptId: frame.scriptId, url: '', lineNumber: -1, columnNumber: -1 };
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
  for (let i = 0; i < stack.length; i++) {
    const node = nodes[stack[i]!]!;
    // Back to V8's own scaling (object size × rounded count), so that reading the export
    // again, here or in DevTools, gives the same estimates.
    const objectSize = Math.round(size[i]! / count[i]!);
    const bytes = interval === null ? Math.round(size[i]!) : objectSize * scaledCount(objectSize, interval);
    node.selfSize += bytes;
    samples.push({ size: bytes, nodeId: node.id, ordinal: ordinal[i]! });
  }
  return { head: root, samples };
}
