/**
 * A streaming reader of V8's `.heapsnapshot` JSON: read in chunks, its number arrays go straight
 * into typed arrays and only the fields alloctrace uses are kept, so a snapshot is never in memory
 * as text, nor twice. Works with and without allocation tracking (`trace_node_id`, `trace_tree`).
 */
import * as fs from 'node:fs';
import { AlloctraceError, describeError } from '../errors';

/** What is kept of a snapshot: per node its type, name, self size, edge count and trace node. */
export interface ParsedSnapshot {
  nodeTypes: string[];
  edgeTypes: string[];
  nodeCount: number;
  /** Per node: index into `nodeTypes`. */
  type: Uint8Array;
  /** Per node: index into `strings`. */
  name: Uint32Array;
  selfSize: Float64Array;
  /** Per node: id of its `trace_tree` node (its allocating stack), 0 when untracked or absent. */
  traceNode: Uint32Array;
  /** Whether the snapshot carries allocation stacks at all (`--track-heap-objects`). */
  tracked: boolean;
  /** `internal` edges from objects to arrays, hidden stores, objects and native nodes only (the ones that can tie stores and buffers to owners), as triples (from node, name string, to node). */
  internalEdges: Uint32Array;
  internalEdgeCount: number;
  /** Per node: the map (object shape) of an object, `-1` for other nodes. */
  mapOf: Int32Array;
  /** Internal edges of maps to maps and closures (`back_pointer`, `constructor`), as triples. */
  shapeEdges: Uint32Array;
  shapeEdgeCount: number;
  /** Where each closure's function starts, by node: V8's script id, 0-based line and column. */
  locations: Map<number, { scriptId: number; line: number; column: number }>;
  /** `trace_function_infos` as records. */
  functions: Array<{ name: number; scriptName: number; scriptId: number; line: number; column: number }>;
  /** `trace_tree` flattened: parallel columns, parents before children. */
  tree: { id: number[]; fn: number[]; parent: number[] };
  strings: string[];
}

class Growable {
  data: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint32Array(Math.max(16, capacity));
  }
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    d[n + 2] = c;
    this.length = n + 3;
  }
}

type Token = '{' | '}' | '[' | ']';

/**
 * Byte-level JSON tokenizer fed chunk by chunk: structural characters, strings and numbers are
 * handed to `sink` as they complete (a token cut by a chunk boundary is carried over).
 */
class Tokenizer {
  private inString = false;
  private escaped = false;
  private hasEscape = false;
  private parts: Buffer[] = [];
  private inNumber = false;
  private intValue = 0;
  private numberText: string | null = null;
  private inLiteral = false;
  private literal = '';

  constructor(private readonly sink: { structural(t: Token): void; string(s: string): void; number(n: number): void; literal(s: string): void }) {}

  feed(buf: Buffer, end: number): void {
    const sink = this.sink;
    let i = 0;
    // A token cut by the previous chunk's end is finished first.
    if (this.inString) i = this.scanString(buf, 0, end);
    else if (this.inNumber) i = this.continueNumber(buf, 0, end);
    else if (this.inLiteral) i = this.continueLiteral(buf, 0, end);
    while (i < end) {
      const c = buf[i]!;
      if (c >= 0x30 && c <= 0x39) {
        // The hot path: an integer, scanned in place (snapshots are mostly integer columns).
        let v = c - 0x30;
        let j = i + 1;
        for (; j < end; j++) {
          const d = buf[j]!;
          if (d < 0x30 || d > 0x39) break;
          v = v * 10 + (d - 0x30);
        }
        if (j === end || buf[j] === 0x2e || buf[j] === 0x65 || buf[j] === 0x45) {
          this.inNumber = true;
          this.intValue = v;
          this.numberText = null;
          i = this.continueNumber(buf, j, end);
          continue;
        }
        sink.number(v);
        i = j;
        continue;
      }
      if (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a) {
        i++;
        continue;
      }
      if (c === 0x22) {
        this.inString = true;
        this.hasEscape = false;
        this.escaped = false;
        this.stringStart = i + 1;
        i = this.scanString(buf, i + 1, end);
        continue;
      }
      if (c === 0x5b) sink.structural('[');
      else if (c === 0x5d) sink.structural(']');
      else if (c === 0x7b) sink.structural('{');
      else if (c === 0x7d) sink.structural('}');
      else if (c === 0x2d) {
        this.inNumber = true;
        this.intValue = 0;
        this.numberText = '-';
        i = this.continueNumber(buf, i + 1, end);
        continue;
      } else if (c >= 0x61 && c <= 0x7a) {
        this.inLiteral = true;
        this.literal = '';
        i = this.continueLiteral(buf, i, end);
        continue;
      }
      i++;
    }
  }

  private stringStart = 0;

  /** From `i` inside a string: to just after its closing quote, or `end` (the rest carried over). */
  private scanString(buf: Buffer, i: number, end: number): number {
    const start = this.parts.length === 0 && this.inString && i > 0 ? this.stringStart : i;
    let escaped = this.escaped;
    let j = i;
    for (; j < end; j++) {
      const c = buf[j]!;
      if (escaped) escaped = false;
      else if (c === 0x5c) {
        escaped = true;
        this.hasEscape = true;
      } else if (c === 0x22) break;
    }
    if (j === end) {
      this.escaped = escaped;
      this.parts.push(Buffer.from(buf.subarray(start, end)));
      return end;
    }
    const raw = this.parts.length === 0 ? buf.toString('utf8', start, j) : Buffer.concat([...this.parts, buf.subarray(start, j)]).toString('utf8');
    this.parts = [];
    this.inString = false;
    this.escaped = false;
    this.sink.string(this.hasEscape ? (JSON.parse(`"${raw}"`) as string) : raw);
    return j + 1;
  }

  /** Digits and the characters of a non-integer number, from `i`. */
  private continueNumber(buf: Buffer, i: number, end: number): number {
    let j = i;
    for (; j < end; j++) {
      const c = buf[j]!;
      if (c >= 0x30 && c <= 0x39) {
        if (this.numberText === null) this.intValue = this.intValue * 10 + (c - 0x30);
        else this.numberText += String.fromCharCode(c);
      } else if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) {
        this.numberText ??= String(this.intValue);
        this.numberText += String.fromCharCode(c);
      } else break;
    }
    if (j === end) return end;
    this.inNumber = false;
    this.sink.number(this.numberText === null ? this.intValue : Number(this.numberText));
    this.numberText = null;
    return j;
  }

  private continueLiteral(buf: Buffer, i: number, end: number): number {
    let j = i;
    for (; j < end; j++) {
      const c = buf[j]!;
      if (c < 0x61 || c > 0x7a) break;
      this.literal += String.fromCharCode(c);
    }
    if (j === end) return end;
    this.inLiteral = false;
    this.sink.literal(this.literal);
    return j;
  }

  finish(): void {
    if (this.inNumber) this.sink.number(this.numberText === null ? this.intValue : Number(this.numberText));
    if (this.inLiteral) this.sink.literal(this.literal);
    if (this.inString) throw new Error('unterminated string');
  }
}

/** Builds a small JSON value (the `snapshot` header) from tokens. */
class ValueBuilder {
  private readonly stack: Array<{ value: unknown[] | Record<string, unknown>; key: string | null }> = [];
  result: unknown = undefined;
  done = false;

  private put(v: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.result = v;
      this.done = true;
      return;
    }
    if (Array.isArray(top.value)) top.value.push(v);
    else if (top.key === null) top.key = v as string;
    else {
      top.value[top.key] = v;
      top.key = null;
    }
  }

  structural(t: Token): void {
    if (t === '{' || t === '[') {
      this.stack.push({ value: t === '{' ? {} : [], key: null });
      return;
    }
    const closed = this.stack.pop();
    if (closed !== undefined) this.put(closed.value);
  }
  string(s: string): void {
    this.put(s);
  }
  number(n: number): void {
    this.put(n);
  }
  literal(s: string): void {
    this.put(s === 'true' ? true : s === 'false' ? false : null);
  }
}

interface Header {
  meta: {
    node_fields: string[];
    node_types: unknown[];
    edge_fields: string[];
    edge_types: unknown[];
    trace_function_info_fields?: string[];
  };
  node_count: number;
  edge_count: number;
}

function isHeader(value: unknown): value is Header {
  const v = value as Partial<Header> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.node_count === 'number' &&
    typeof v.edge_count === 'number' &&
    Array.isArray(v.meta?.node_fields) &&
    Array.isArray(v.meta?.node_types) &&
    Array.isArray(v.meta?.node_types[0]) &&
    Array.isArray(v.meta?.edge_fields) &&
    Array.isArray(v.meta?.edge_types) &&
    Array.isArray(v.meta?.edge_types[0])
  );
}

/**
 * Reads the snapshot in `file`, `chunkBytes` at a time; a file that is not one is an
 * `ERR_TRACE_FORMAT` error naming `name`.
 */
export function readHeapSnapshot(file: string, name = file, chunkBytes = 1 << 20): ParsedSnapshot {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw new AlloctraceError('ERR_TRACE_READ', `cannot read ${name}: ${describeError(error)}`);
  }
  try {
    const parser = new SnapshotParser();
    const tokenizer = new Tokenizer(parser);
    const buf = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      tokenizer.feed(buf, n);
    }
    tokenizer.finish();
    return parser.result();
  } catch (error) {
    if (error instanceof AlloctraceError) throw new AlloctraceError('ERR_TRACE_FORMAT', `${name} is not a usable V8 heap snapshot: ${error.message}`);
    throw new AlloctraceError('ERR_TRACE_FORMAT', `${name} is not a usable V8 heap snapshot: ${describeError(error)}`);
  } finally {
    fs.closeSync(fd);
  }
}

type Section = 'header' | 'nodes' | 'edges' | 'functions' | 'tree' | 'locations' | 'strings' | 'skip';

const SECTIONS: Record<string, Section> = {
  snapshot: 'header',
  nodes: 'nodes',
  edges: 'edges',
  trace_function_infos: 'functions',
  trace_tree: 'tree',
  locations: 'locations',
  strings: 'strings',
};

function fail(message: string): never {
  throw new AlloctraceError('ERR_TRACE_FORMAT', message);
}

/** Consumes tokens of the top-level object, section by section. */
class SnapshotParser {
  private depth = 0;
  private key: string | null = null;
  private section: Section | null = null;
  private sectionDepth = 0;
  private builder: ValueBuilder | null = null;
  private header: Header | null = null;

  // Node columns.
  private nodeFieldCount = 0;
  private fType = 0;
  private fName = 1;
  private fSelf = 3;
  private fEdges = 4;
  private fTrace = -1;
  private nodeTypes: string[] = [];
  private edgeTypes: string[] = [];
  private type = new Uint8Array(0);
  private name = new Uint32Array(0);
  private self = new Float64Array(0);
  private edgeCount = new Uint32Array(0);
  private traceNode = new Uint32Array(0);
  private nodeValue = 0;
  // Position in the nodes array as (node, field): no division per number.
  private nodeIndex = 0;
  private nodeField = 0;

  // Edges.
  private edgeFieldCount = 3;
  private edgeValue = 0;
  private edgeType = 0;
  private edgeName = 0;
  private internalType = -1;
  private objectType = -1;
  /** Per node type: whether an internal edge to it may tie a store or a buffer to an object. */
  private storeTarget = new Uint8Array(0);
  private edgeFrom = 0;
  private edgesLeftOfFrom = 0;
  private internal = new Growable(1 << 12);
  private shapeType = -1;
  private closureType = -1;
  private mapOf = new Int32Array(0);
  private shapes = new Growable(1 << 12);
  private locationFields = 4;
  private locationRecord: number[] = [];
  private locations: ParsedSnapshot['locations'] = new Map();

  // Functions, tree, strings.
  private fnFields = 6;
  private fnValue = 0;
  private fnRecord: number[] = [];
  private fnColumns = { name: 1, scriptName: 2, scriptId: 3, line: 4, column: 5 };
  private functions: ParsedSnapshot['functions'] = [];
  private tree: ParsedSnapshot['tree'] = { id: [], fn: [], parent: [] };
  private treeStack: Array<{ parent: number; pos: number; last: number }> = [];
  private strings: string[] = [];

  structural(t: Token): void {
    if (this.section !== null) return this.inSection(t);
    if (t === '{' || t === '[') {
      this.depth++;
      if (this.depth === 1 && t === '[') fail('it is a JSON array, not an object');
      if (this.depth === 2) this.enter(t);
      return;
    }
    this.depth--;
  }

  private enter(t: Token): void {
    const key = this.key ?? '';
    this.key = null;
    this.section = SECTIONS[key] ?? 'skip';
    this.sectionDepth = 1;
    if (this.section === 'header') {
      this.builder = new ValueBuilder();
      this.builder.structural(t);
      return;
    }
    if (this.section !== 'skip' && t !== '[') fail(`"${key}" is not an array`);
    if (this.section !== 'skip' && this.section !== 'strings' && this.header === null) fail('"snapshot" does not come first');
    if (this.section === 'edges') this.startEdges();
    if (this.section === 'tree') this.treeStack = [{ parent: 0, pos: 0, last: 0 }];
  }

  private inSection(t: Token): void {
    if (this.section === 'header') {
      this.builder!.structural(t);
      if (this.builder!.done) this.setHeader(this.builder!.result);
    } else if (this.section === 'tree') {
      this.treeToken(t);
    }
    if (t === '{' || t === '[') this.sectionDepth++;
    else this.sectionDepth--;
    if (this.sectionDepth === 0) this.leave();
  }

  private leave(): void {
    const section = this.section;
    this.section = null;
    this.depth--;
    this.builder = null;
    if (section === 'nodes' && this.nodeValue !== this.type.length * this.nodeFieldCount) fail('the nodes array is shorter than node_count says');
  }

  private setHeader(value: unknown): void {
    if (!isHeader(value)) fail('its "snapshot" header lacks meta.node_fields, node_types or node_count');
    this.header = value;
    const fields = value.meta.node_fields;
    this.nodeFieldCount = fields.length;
    this.fType = fields.indexOf('type');
    this.fName = fields.indexOf('name');
    this.fSelf = fields.indexOf('self_size');
    this.fEdges = fields.indexOf('edge_count');
    this.fTrace = fields.indexOf('trace_node_id');
    if (this.fType < 0 || this.fName < 0 || this.fSelf < 0 || this.fEdges < 0) fail('its node_fields lack type, name, self_size or edge_count');
    this.nodeTypes = (value.meta.node_types[0] as unknown[]).map(String);
    this.edgeTypes = (value.meta.edge_types[0] as unknown[]).map(String);
    this.edgeFieldCount = value.meta.edge_fields.length;
    this.internalType = this.edgeTypes.indexOf('internal');
    this.objectType = this.nodeTypes.indexOf('object');
    this.shapeType = this.nodeTypes.indexOf('object shape');
    this.closureType = this.nodeTypes.indexOf('closure');
    // Elements/properties/tables (array, hidden), ArrayBuffers (object), backing stores (native):
    // every other internal edge (maps, code, contexts: most of them) is dropped as it is read.
    this.storeTarget = new Uint8Array(this.nodeTypes.length);
    for (const t of ['array', 'hidden', 'object', 'native']) if (this.nodeTypes.includes(t)) this.storeTarget[this.nodeTypes.indexOf(t)] = 1;
    const n = value.node_count;
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31) fail('node_count is not a count');
    this.type = new Uint8Array(n);
    this.name = new Uint32Array(n);
    this.self = new Float64Array(n);
    this.edgeCount = new Uint32Array(n);
    this.traceNode = new Uint32Array(n);
    this.mapOf = new Int32Array(n).fill(-1);
    const locationFields = (value.meta as { location_fields?: unknown }).location_fields;
    if (Array.isArray(locationFields)) this.locationFields = locationFields.length;
    const fn = value.meta.trace_function_info_fields;
    if (Array.isArray(fn)) {
      this.fnFields = fn.length;
      this.fnColumns = { name: fn.indexOf('name'), scriptName: fn.indexOf('script_name'), scriptId: fn.indexOf('script_id'), line: fn.indexOf('line'), column: fn.indexOf('column') };
    }
  }

  string(s: string): void {
    if (this.section === null) {
      if (this.depth === 1) this.key = s;
      return;
    }
    if (this.section === 'strings') this.strings.push(s);
    else if (this.section === 'header') {
      this.builder!.string(s);
    }
  }

  literal(s: string): void {
    if (this.section === 'header') this.builder!.literal(s);
  }

  number(v: number): void {
    switch (this.section) {
      case 'nodes':
        return this.nodeNumber(v);
      case 'edges':
        return this.edgeNumber(v);
      case 'functions':
        return this.fnNumber(v);
      case 'tree':
        return this.treeNumber(v);
      case 'locations':
        return this.locationNumber(v);
      case 'header':
        return this.builder!.number(v);
      default:
        return;
    }
  }

  private nodeNumber(v: number): void {
    this.nodeValue++;
    const node = this.nodeIndex;
    const field = this.nodeField;
    if (field + 1 === this.nodeFieldCount) {
      this.nodeField = 0;
      this.nodeIndex = node + 1;
    } else {
      this.nodeField = field + 1;
    }
    if (node >= this.type.length) fail('the nodes array is longer than node_count says');
    if (field === this.fType) this.type[node] = v;
    else if (field === this.fName) this.name[node] = v;
    else if (field === this.fSelf) this.self[node] = v;
    else if (field === this.fEdges) this.edgeCount[node] = v;
    else if (field === this.fTrace) this.traceNode[node] = v;
  }

  private startEdges(): void {
    this.edgeFrom = 0;
    this.edgeValue = 0;
    this.edgesLeftOfFrom = this.edgeCount[0] ?? 0;
  }

  private edgeNumber(v: number): void {
    const field = this.edgeValue;
    this.edgeValue = field + 1 === this.edgeFieldCount ? 0 : field + 1;
    if (field === 0) {
      // A new edge: its owner is the first node with edges left.
      while (this.edgesLeftOfFrom === 0 && this.edgeFrom < this.edgeCount.length - 1) this.edgesLeftOfFrom = this.edgeCount[++this.edgeFrom]!;
      this.edgesLeftOfFrom--;
      this.edgeType = v;
    } else if (field === 1) {
      this.edgeName = v;
    } else if (field === 2 && this.edgeType === this.internalType) {
      const to = (v / this.nodeFieldCount) | 0;
      const fromType = this.type[this.edgeFrom];
      const toType = this.type[to];
      if (fromType === this.objectType) {
        if (this.storeTarget[toType ?? 0] === 1) this.internal.push3(this.edgeFrom, this.edgeName, to);
        // An object's one internal edge to a map is `map`: its constructor is found from there.
        else if (toType === this.shapeType && this.mapOf[this.edgeFrom] === -1) this.mapOf[this.edgeFrom] = to;
      } else if (fromType === this.shapeType && (toType === this.shapeType || toType === this.closureType)) {
        this.shapes.push3(this.edgeFrom, this.edgeName, to);
      }
    }
  }

  private fnNumber(v: number): void {
    this.fnRecord.push(v);
    if (this.fnRecord.length < this.fnFields) return;
    const r = this.fnRecord;
    const c = this.fnColumns;
    this.functions.push({ name: r[c.name] ?? 0, scriptName: r[c.scriptName] ?? 0, scriptId: r[c.scriptId] ?? 0, line: r[c.line] ?? 0, column: r[c.column] ?? 0 });
    this.fnRecord = [];
  }

  // locations: [object_index, script_id, line, column, …], for closures.
  private locationNumber(v: number): void {
    this.locationRecord.push(v);
    if (this.locationRecord.length < this.locationFields) return;
    const [object, scriptId, line, column] = this.locationRecord;
    this.locationRecord = [];
    const node = ((object ?? 0) / this.nodeFieldCount) | 0;
    if (this.type[node] === this.closureType) this.locations.set(node, { scriptId: scriptId ?? 0, line: line ?? 0, column: column ?? 0 });
  }

  // trace_tree: [id, function_info_index, count, size, [children…], id, …] nested.
  private treeNumber(v: number): void {
    const top = this.treeStack[this.treeStack.length - 1];
    if (top === undefined) return;
    const slot = top.pos % 5;
    if (slot === 0) {
      top.last = v;
      this.tree.id.push(v);
      this.tree.parent.push(top.parent);
    } else if (slot === 1) {
      this.tree.fn.push(v);
    }
    top.pos++;
  }

  private treeToken(t: Token): void {
    // The section's own brackets are counted by inSection: depth 1 is the outer array.
    if (t === '[') {
      if (this.sectionDepth === 0) return;
      const top = this.treeStack[this.treeStack.length - 1];
      if (top === undefined) return;
      top.pos++;
      this.treeStack.push({ parent: top.last, pos: 0, last: 0 });
    } else if (t === ']') {
      if (this.treeStack.length > 1) this.treeStack.pop();
    }
  }

  result(): ParsedSnapshot {
    if (this.header === null) fail('it has no "snapshot" header');
    const tracked = this.fTrace >= 0 && this.tree.id.length > 0;
    return {
      nodeTypes: this.nodeTypes,
      edgeTypes: this.edgeTypes,
      nodeCount: this.type.length,
      type: this.type,
      name: this.name,
      selfSize: this.self,
      traceNode: this.traceNode,
      tracked,
      internalEdges: this.internal.data,
      internalEdgeCount: this.internal.length / 3,
      mapOf: this.mapOf,
      shapeEdges: this.shapes.data,
      shapeEdgeCount: this.shapes.length / 3,
      locations: this.locations,
      functions: this.functions,
      tree: this.tree,
      strings: this.strings,
    };
  }
}
