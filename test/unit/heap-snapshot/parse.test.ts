/**
 * The streaming snapshot reader against JSON.parse: a real snapshot of this process, and a small
 * hand-written one read one byte at a time (every token cut by a chunk boundary somewhere).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { describe, it } from 'node:test';
import { readHeapSnapshot } from '../../../src/heap-snapshot/parse';
import { kindOfNode, partitionHeap } from '../../../src/heap-snapshot/kinds';
import { scratchDir } from '../../helpers/fixtures';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** A tiny snapshot: an object owning an elements store, an ArrayBuffer with a backing store, a tree of 3 nodes. */
function tinySnapshot(): string {
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
    node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'], 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
    trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
    trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
  };
  const strings = ['', 'Order', 'elements', '(object elements)', 'ArrayBuffer', 'backing_store', 'system / JSArrayBufferData', 'Float64Array', 'buffer', 'h\u00e9llo "w\\orld"\n\u2603', '(root)', 'make', '/app/a.js'];
  const F = 7;
  // 0: synthetic root, 1: Order (owns 2), 2: elements store, 3: ArrayBuffer (backing 4), 4: native data, 5: Float64Array (buffer 3), 6: a string
  const nodes = [
    9, 10, 1, 0, 0, 0, 0,
    3, 1, 3, 40, 1, 3, 0,
    1, 3, 5, 800, 0, 3, 0,
    3, 4, 7, 88, 1, 3, 0,
    8, 6, 9, 4096, 0, 0, 0,
    3, 7, 11, 96, 1, 3, 0,
    2, 9, 13, 32, 0, 2, 0,
  ];
  const edges = [3, 2, 2 * F, 3, 5, 4 * F, 3, 8, 3 * F];
  return JSON.stringify({
    snapshot: { meta, node_count: 7, edge_count: 3, trace_function_count: 2 },
    nodes,
    edges,
    trace_function_infos: [1, 10, 0, 0, 0, 0, 2, 11, 12, 3, 4, 17],
    trace_tree: [1, 0, 0, 0, [2, 0, 1, 32, [], 3, 1, 4, 5000, [4, 1, 0, 0, []]]],
    samples: [],
    locations: [],
    strings,
  }, null, 1);
}

describe('heap snapshot reader', () => {
  it('reads a real snapshot of this process as JSON.parse does', () => {
    const file = path.join(scratchDir(), 'self.heapsnapshot');
    v8.writeHeapSnapshot(file);
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as RawSnapshot;
    // Odd chunk size: boundaries fall inside numbers and strings.
    const parsed = readHeapSnapshot(file, 'self.heapsnapshot', 65_521);
    const fields = raw.snapshot.meta.node_fields;
    const nf = fields.length;
    assert.equal(parsed.nodeCount, raw.snapshot.node_count);
    assert.deepEqual(parsed.strings, raw.strings);
    for (let n = 0; n < parsed.nodeCount; n++) {
      assert.equal(parsed.type[n], raw.nodes[n * nf + fields.indexOf('type')]);
      assert.equal(parsed.name[n], raw.nodes[n * nf + fields.indexOf('name')]);
      assert.equal(parsed.selfSize[n], raw.nodes[n * nf + fields.indexOf('self_size')]);
    }
    const internal = raw.snapshot.meta.edge_types[0].indexOf('internal');
    const ef = raw.snapshot.meta.edge_fields.length;
    const types = raw.snapshot.meta.node_types[0];
    const objectType = types.indexOf('object');
    const kept = new Set(['array', 'hidden', 'object', 'native'].map((t) => types.indexOf(t)));
    let from = 0;
    let left = raw.nodes[fields.indexOf('edge_count')]!;
    let expected = 0;
    for (let e = 0; e < raw.edges.length; e += ef) {
      while (left === 0) left = raw.nodes[++from * nf + fields.indexOf('edge_count')]!;
      left--;
      const to = raw.edges[e + 2]! / nf;
      if (raw.edges[e] === internal && raw.nodes[from * nf] === objectType && kept.has(raw.nodes[to * nf]!)) expected++;
    }
    assert.equal(parsed.internalEdgeCount, expected);
    // Not tracked: no stacks.
    assert.equal(parsed.tracked, false);
  });

  it('one byte at a time: escapes, non-ASCII, the trace tree and its functions', () => {
    const file = path.join(scratchDir(), 'tiny.heapsnapshot');
    fs.writeFileSync(file, tinySnapshot());
    const whole = readHeapSnapshot(file);
    const bytewise = readHeapSnapshot(file, 'tiny', 1);
    assert.deepEqual(bytewise, whole);
    assert.equal(whole.strings[9], 'h\u00e9llo "w\\orld"\n\u2603');
    assert.deepEqual(whole.tree, { id: [1, 2, 3, 4], fn: [0, 0, 1, 1], parent: [0, 1, 1, 3] });
    assert.deepEqual(whole.functions[1], { name: 11, scriptName: 12, scriptId: 3, line: 4, column: 17 });
    assert.equal(whole.tracked, true);
    assert.deepEqual(Array.from(whole.traceNode), [0, 3, 3, 3, 0, 3, 2]);
  });

  it('partition: stores folded into their owner, backing stores named after their view', () => {
    const file = path.join(scratchDir(), 'tiny.heapsnapshot');
    fs.writeFileSync(file, tinySnapshot());
    const { kinds, groups, objects } = partitionHeap(readHeapSnapshot(file));
    const named = groups.map((g) => ({ ...g, kind: kinds[g.kind]!.name })).sort((a, b) => a.kind.localeCompare(b.kind));
    assert.deepEqual(named, [
      { traceNode: 3, kind: 'ArrayBuffer', size: 88, count: 1 },
      { traceNode: 3, kind: 'Float64Array', size: 96, count: 1 },
      // The backing store at its ArrayBuffer's stack, outside the heap.
      { traceNode: 3, kind: 'Float64Array (external)', size: 4096, count: 1 },
      // 40 bytes of its own and its 800-byte elements store.
      { traceNode: 3, kind: 'Order', size: 840, count: 1 },
      { traceNode: 2, kind: 'string', size: 32, count: 1 },
    ]);
    assert.equal(kinds.find((k) => k.name === 'Float64Array (external)')?.external, true);
    // The synthetic root is not an object of the heap; the folded store is not one of its own.
    assert.equal(objects, 5);
  });

  it('kinds as heapy names them', () => {
    assert.equal(kindOfNode('object', 'Order'), 'Order');
    assert.equal(kindOfNode('object', 'system / Context'), '(system)');
    assert.equal(kindOfNode('concatenated string', '(concatenated string)'), 'string');
    assert.equal(kindOfNode('closure', 'make'), 'closure');
    assert.equal(kindOfNode('code', '(shared function info)'), '(code)');
    assert.equal(kindOfNode('object shape', 'system / Map'), '(system)');
    assert.equal(kindOfNode('synthetic', '(GC roots)'), null);
  });

  it('a file that is not a snapshot is one clear error', () => {
    const file = path.join(scratchDir(), 'not.heapsnapshot');
    fs.writeFileSync(file, '[1, 2, 3]');
    assert.throws(() => readHeapSnapshot(file, 'not.heapsnapshot'), /not\.heapsnapshot is not a usable V8 heap snapshot: it is a JSON array/);
    fs.writeFileSync(file, '{"nodes": [1, 2]}');
    assert.throws(() => readHeapSnapshot(file, 'not.heapsnapshot'), /"snapshot" does not come first/);
    assert.throws(() => readHeapSnapshot(path.join(scratchDir(), 'missing.heapsnapshot'), 'missing.heapsnapshot'), /cannot read missing\.heapsnapshot: no such file/);
  });
});
