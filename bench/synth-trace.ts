/**
 * A large synthetic trace, made the way a real one is: a V8 sampling profile (call tree and
 * samples, sizes scaled as V8 scales them) over real compiled scripts, imported by alloctrace's
 * own importer. Deterministic for a given seed.
 */
import { groupTotal } from '../src/trace/node-totals';
import { scaledCount } from '../src/trace/scaling';
import type { TraceFile, TraceMeta } from '../src/trace/format';
import { traceFromV8Profile, type V8CallFrame, type V8ProfileNode, type V8SamplingProfile } from '../src/trace/v8-profile';
import { rng, type GeneratedScript } from './synth-code';

export interface SynthOptions {
  scripts: GeneratedScript[];
  root: string;
  nodes: number;
  samples: number;
  interval: number;
  seed: number;
}

const BUILTINS = ['repeat', 'join', 'split', 'JSONParse', 'JSONStringify', 'MapPrototypeSet', 'ArrayPrototypePush', 'ArrayMap', 'StringPrototypeSlice', 'Uint8Array'];
const INTERNALS = ['node:internal/streams/readable', 'node:internal/fs/utils', 'node:events', 'node:internal/modules/cjs/loader', 'node:buffer'];

export function synthProfile(options: SynthOptions): V8SamplingProfile {
  const random = rng(options.seed);
  const { scripts } = options;
  // Some scripts are much hotter than others, as in real programs.
  const pickScript = (): number => Math.floor(scripts.length * random() ** 2);
  const frameOf = (): V8CallFrame => {
    const r = random();
    if (r < 0.08) return { functionName: BUILTINS[Math.floor(random() * BUILTINS.length)]!, scriptId: 0, url: '', lineNumber: -1, columnNumber: -1 };
    if (r < 0.16) {
      const url = INTERNALS[Math.floor(random() * INTERNALS.length)]!;
      return { functionName: `internal${Math.floor(random() * 40)}`, scriptId: 1 + INTERNALS.indexOf(url), url, lineNumber: Math.floor(random() * 900), columnNumber: 10 };
    }
    const s = pickScript();
    const script = scripts[s]!;
    if (r < 0.18) return { functionName: '', scriptId: 100 + s, url: script.file, lineNumber: 0, columnNumber: 0 };
    const fn = script.functions[Math.floor(random() * script.functions.length)]!;
    return { functionName: fn.name, scriptId: 100 + s, url: script.file, lineNumber: fn.line, columnNumber: fn.column };
  };

  let nextId = 1;
  const head: V8ProfileNode = { callFrame: { functionName: '(root)', scriptId: 0, url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: nextId++, children: [] };
  const all: V8ProfileNode[] = [];
  // Random walks from the root: reuse a child most of the time, so the tree shares prefixes.
  while (all.length < options.nodes) {
    const depth = 4 + Math.floor(random() * 28);
    let node = head;
    for (let d = 0; d < depth && all.length < options.nodes; d++) {
      const reuse = node.children.length > 0 && random() < 0.85;
      if (reuse) {
        node = node.children[Math.floor(random() * node.children.length)]!;
      } else {
        const child: V8ProfileNode = { callFrame: frameOf(), selfSize: 0, id: nextId++, children: [] };
        node.children.push(child);
        all.push(child);
        node = child;
      }
    }
  }
  // Object sizes: mostly small, some medium, a few large arrays and strings.
  const objectSize = (): number => {
    const r = random();
    if (r < 0.7) return 16 + 8 * Math.floor(random() * 10);
    if (r < 0.92) return 100 + 8 * Math.floor(random() * 250);
    if (r < 0.995) return 8 * 1024 + 8 * Math.floor(random() * 7000);
    return 1024 * 1024;
  };
  const samples: NonNullable<V8SamplingProfile['samples']> = [];
  const objectsOfNode = new Map<V8ProfileNode, Map<number, number>>();
  for (let i = 0; i < options.samples; i++) {
    // Hot nodes: a few stacks get most samples.
    const node = all[Math.floor(all.length * random() ** 3)]!;
    const s = objectSize();
    let objects = objectsOfNode.get(node);
    if (objects === undefined) objectsOfNode.set(node, (objects = new Map()));
    objects.set(s, (objects.get(s) ?? 0) + 1);
    samples.push({ size: s * scaledCount(s, options.interval), nodeId: node.id, ordinal: i + 1 });
  }
  // V8's selfSize: per object size, the count scaled and rounded once for the group.
  for (const [node, objects] of objectsOfNode) {
    for (const [s, k] of objects) node.selfSize += groupTotal(s, k, options.interval);
  }
  return { head, samples };
}

export function synthTrace(options: SynthOptions): TraceFile {
  const meta: TraceMeta = {
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    pid: 4242,
    argv: ['dist/main.js'],
    execArgv: [],
    cwd: options.root,
    root: options.root,
    interval: options.interval,
    mode: 'live',
    // Now: the scripts were compiled before, so `show` sees them unchanged since the "program" started.
    startTime: new Date().toISOString(),
    time: new Date().toISOString(),
    reason: 'exit',
    sequence: 0,
    thread: { id: 0, name: 'main' },
    flags: [],
    notes: [],
  };
  return traceFromV8Profile(synthProfile(options), { meta, producer: 'alloctrace-bench' });
}
