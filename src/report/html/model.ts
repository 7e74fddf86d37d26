/**
 * What the HTML report draws, computed from resolved traces: the flame graph's tree of stacks
 * (builtins folded into their caller, frames at the line they were executing), plop's call graph
 * (functions, caller → callee edges, a laid-out SVG position for each) and a diff tree of two
 * traces. Pure; sizes bounded (small frames merged) so big traces give small pages.
 */
import { locationAt } from '../../analyze/line-location';
import { formatLocation, locationOfFrame, type Location, type Origin } from '../../analyze/location';
import type { TraceFile } from '../../trace/format';

/** One flame-graph frame: `n` name, `f` where, `o` origin, `v` bytes (total), `b` the older trace's total (diffs), `c` children. */
export interface FlameNode {
  n: string;
  f: string;
  o: Origin | 'other';
  v: number;
  b?: number;
  c: FlameNode[];
}

/** A frame's label parts at one point of one stack. */
function frameLabel(location: Location): { n: string; f: string } {
  return { n: location.function, f: location.file === null ? '' : formatLocation(location) };
}

/**
 * The stack of each sample, outermost first, as labelled frames; builtins and pseudo frames are
 * folded into their caller (as the text report's `via`), unless the stack holds nothing else.
 */
function labelledStacks(trace: TraceFile): { paths: Map<number, Array<{ n: string; f: string; o: Origin }>> } {
  const paths = new Map<number, Array<{ n: string; f: string; o: Origin }>>();
  const bases = new Map<number, Location>();
  for (const leaf of new Set(trace.samples.stack)) {
    const path: Array<{ n: string; f: string; o: Origin }> = [];
    for (let node = leaf, callee = -1; node >= 0; node = trace.stacks.parent[node]!) {
      const frameIndex = trace.stacks.frame[node]!;
      let base = bases.get(frameIndex);
      if (base === undefined) bases.set(frameIndex, (base = locationOfFrame(trace, trace.frames[frameIndex]!)));
      if (base.origin === 'builtin' || base.origin === 'pseudo') continue;
      const at = locationAt(trace, node, callee, base);
      path.push({ ...frameLabel(at), o: at.origin });
      callee = node;
    }
    if (path.length === 0) {
      const frame = trace.frames[trace.stacks.frame[leaf]!]!;
      path.push({ n: frame.name, f: '', o: frame.kind === 'pseudo' ? 'pseudo' : 'builtin' });
    }
    paths.set(leaf, path.reverse());
  }
  return { paths };
}

interface MutableNode extends FlameNode {
  index: Map<string, MutableNode>;
}

function child(parent: MutableNode, label: { n: string; f: string; o: FlameNode['o'] }): MutableNode {
  const key = `${label.n}\u0000${label.f}`;
  let node = parent.index.get(key);
  if (node === undefined) {
    node = { n: label.n, f: label.f, o: label.o, v: 0, c: [], index: new Map() };
    parent.index.set(key, node);
    parent.c.push(node);
  }
  return node;
}

function addTrace(root: MutableNode, trace: TraceFile, field: 'v' | 'b'): void {
  const { paths } = labelledStacks(trace);
  const { stack, size } = trace.samples;
  for (let i = 0; i < stack.length; i++) {
    const bytes = size[i]!;
    root[field] = (root[field] ?? 0) + bytes;
    let node = root;
    for (const label of paths.get(stack[i]!)!) {
      node = child(node, label);
      node[field] = (node[field] ?? 0) + bytes;
    }
  }
}

/**
 * Drops the index, sorts children by size and merges those under `minShare` of the total into
 * one "(N smaller frames)" per parent, so a page stays small whatever the trace's size.
 */
function finish(node: MutableNode, min: number, weight: (n: FlameNode) => number): FlameNode {
  const kept: FlameNode[] = [];
  let otherV = 0;
  let otherB = 0;
  let others = 0;
  for (const c of node.c.sort((x, y) => weight(y) - weight(x))) {
    if (weight(c) >= min) kept.push(finish(c as MutableNode, min, weight));
    else {
      otherV += c.v;
      otherB += c.b ?? 0;
      others++;
    }
  }
  if (others > 0) {
    const other: FlameNode = { n: `(${others} smaller frame${others === 1 ? '' : 's'})`, f: '', o: 'other', v: otherV, c: [] };
    if (node.b !== undefined) other.b = otherB;
    kept.push(other);
  }
  const out: FlameNode = { n: node.n, f: node.f, o: node.o, v: node.v, c: kept };
  if (node.b !== undefined) out.b = node.b;
  return out;
}

/** Share of the total under which frames are merged: 1/2000 keeps every frame a pixel could show. */
export const MIN_FRAME_SHARE = 1 / 2000;

function emptyRoot(): MutableNode {
  return { n: 'all', f: '', o: 'other', v: 0, c: [], index: new Map() };
}

/** The flame graph of one (resolved, filtered) trace. */
export function flameTree(trace: TraceFile): FlameNode {
  const root = emptyRoot();
  addTrace(root, trace, 'v');
  return finish(root, root.v * MIN_FRAME_SHARE, (n) => n.v);
}

/** A diff flame graph: `v` the newer trace's bytes, `b` the older's, on the union of their stacks. */
export function diffFlameTree(older: TraceFile, newer: TraceFile): FlameNode {
  const root = emptyRoot();
  root.b = 0;
  addTrace(root, newer, 'v');
  addTrace(root, older, 'b');
  const fill = (n: FlameNode): void => {
    n.b ??= 0;
    n.c.forEach(fill);
  };
  fill(root);
  const scale = Math.max(root.v, root.b ?? 0);
  return finish(root, scale * MIN_FRAME_SHARE, (n) => Math.max(n.v, n.b ?? 0, Math.abs(n.v - (n.b ?? 0))));
}

export interface GraphNode {
  id: number;
  name: string;
  file: string;
  origin: Origin;
  self: number;
  total: number;
  x: number;
  y: number;
  w: number;
  h: number;
  hot: boolean;
}

export interface GraphEdge {
  from: number;
  to: number;
  bytes: number;
  hot: boolean;
}

export interface CallGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
  /** Functions left out (too small to draw), and their bytes. */
  hidden: number;
  total: number;
}

/** Functions drawn at most: more is a hairball, not a picture. */
export const GRAPH_NODES = 40;

/**
 * plop's call graph: one node per function (self bytes: allocated in it; total: on a stack
 * through it), one edge per caller → callee pair weighted by the bytes allocated below it. The
 * hot path follows the heaviest edge from the heaviest entry. Laid out in layers by call depth.
 */
export function callGraph(trace: TraceFile, limit = GRAPH_NODES): CallGraph {
  const keyOf = new Map<number, string>();
  const info = new Map<string, { name: string; file: string; origin: Origin; self: number; total: number }>();
  const edges = new Map<string, number>();
  const chains = new Map<number, string[]>();
  for (const leaf of new Set(trace.samples.stack)) {
    const chain: string[] = [];
    for (let node = leaf; node >= 0; node = trace.stacks.parent[node]!) {
      const frameIndex = trace.stacks.frame[node]!;
      let key = keyOf.get(frameIndex);
      if (key === undefined) {
        const base = locationOfFrame(trace, trace.frames[frameIndex]!);
        key = `${base.function}\u0000${base.file ?? ''}\u0000${base.line ?? ''}`;
        keyOf.set(frameIndex, key);
        if (!info.has(key)) info.set(key, { name: base.function, file: base.file === null ? '' : formatLocation(base), origin: base.origin, self: 0, total: 0 });
      }
      const o = info.get(key)!.origin;
      if ((o === 'builtin' || o === 'pseudo') && chain.length > 0) continue;
      if (chain[chain.length - 1] !== key) chain.push(key);
    }
    chains.set(leaf, chain.reverse());
  }
  let total = 0;
  const { stack, size } = trace.samples;
  for (let i = 0; i < stack.length; i++) {
    const chain = chains.get(stack[i]!)!;
    const bytes = size[i]!;
    total += bytes;
    info.get(chain[chain.length - 1]!)!.self += bytes;
    for (const key of new Set(chain)) info.get(key)!.total += bytes;
    const seen = new Set<string>();
    for (let j = 1; j < chain.length; j++) {
      const edge = `${chain[j - 1]}\u0001${chain[j]}`;
      if (seen.has(edge)) continue;
      seen.add(edge);
      edges.set(edge, (edges.get(edge) ?? 0) + bytes);
    }
  }
  const ranked = [...info.entries()].filter(([, v]) => v.total > 0).sort((a, b) => b[1].total - a[1].total || b[1].self - a[1].self);
  const kept = ranked.slice(0, limit);
  const ids = new Map(kept.map(([key], i) => [key, i]));
  const keptEdges: GraphEdge[] = [];
  for (const [edge, bytes] of edges) {
    const [from, to] = edge.split('\u0001') as [string, string];
    const a = ids.get(from);
    const b = ids.get(to);
    if (a !== undefined && b !== undefined && a !== b) keptEdges.push({ from: a, to: b, bytes, hot: false });
  }
  // Layers: longest path from the entries over the edges, back edges (recursion) ignored.
  const out = new Map<number, GraphEdge[]>();
  const incoming = new Map<number, number>();
  for (const e of keptEdges) {
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from)!.push(e);
    incoming.set(e.to, (incoming.get(e.to) ?? 0) + 1);
  }
  const layer = new Array<number>(kept.length).fill(0);
  const state = new Array<number>(kept.length).fill(0);
  const order: number[] = [];
  const visit = (n: number): void => {
    state[n] = 1;
    for (const e of out.get(n) ?? []) if (state[e.to] === 0) visit(e.to);
    state[n] = 2;
    order.push(n);
  };
  for (let n = 0; n < kept.length; n++) if (!incoming.has(n) && state[n] === 0) visit(n);
  for (let n = 0; n < kept.length; n++) if (state[n] === 0) visit(n);
  const position = new Map(order.map((n, i) => [n, i]));
  for (const n of [...order].reverse()) {
    for (const e of out.get(n) ?? []) {
      // Only forward edges in the topological order (a back edge closes a cycle).
      if (position.get(e.to)! < position.get(n)!) layer[e.to] = Math.max(layer[e.to]!, layer[n]! + 1);
    }
  }
  // Hot path: from the heaviest entry, the heaviest edge on.
  const hotNodes = new Set<number>();
  const entries = kept.map((_, i) => i).filter((i) => !incoming.has(i));
  let at: number | undefined = entries.sort((a, b) => kept[b]![1].total - kept[a]![1].total)[0] ?? (kept.length > 0 ? 0 : undefined);
  while (at !== undefined && !hotNodes.has(at)) {
    hotNodes.add(at);
    const next = (out.get(at) ?? []).filter((e) => !hotNodes.has(e.to)).sort((a, b) => b.bytes - a.bytes)[0];
    // The path ends where most of the bytes stay: at the function that allocates them.
    if (next === undefined || next.bytes < kept[at]![1].total / 2) break;
    next.hot = true;
    at = next.to;
  }
  const byLayer = new Map<number, number[]>();
  for (let n = 0; n < kept.length; n++) {
    if (!byLayer.has(layer[n]!)) byLayer.set(layer[n]!, []);
    byLayer.get(layer[n]!)!.push(n);
  }
  const max = kept[0]?.[1].total ?? 1;
  const nodeW = (t: number): number => 150 + 150 * Math.sqrt(t / max);
  const rowH = 70;
  let width = 0;
  const nodes: GraphNode[] = kept.map(([, v], i) => ({ id: i, name: v.name, file: v.file, origin: v.origin, self: v.self, total: v.total, x: 0, y: 0, w: nodeW(v.total), h: 32 + 20 * Math.sqrt(v.self / max), hot: hotNodes.has(i) }));
  for (const [l, members] of [...byLayer.entries()].sort((a, b) => a[0] - b[0])) {
    // The hot node first, then by total: the hot path runs down the left edge.
    members.sort((a, b) => Number(hotNodes.has(b)) - Number(hotNodes.has(a)) || kept[b]![1].total - kept[a]![1].total);
    let x = 10;
    for (const n of members) {
      nodes[n]!.x = x;
      nodes[n]!.y = 10 + l * rowH;
      x += nodes[n]!.w + 20;
    }
    width = Math.max(width, x);
  }
  const hidden = ranked.length - kept.length;
  return { nodes, edges: keptEdges, width, height: 10 + byLayer.size * rowH, hidden, total };
}
