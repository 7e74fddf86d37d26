/**
 * A heap snapshot's live objects partitioned the way heapy partitions a Python heap: by kind
 * (constructor name, `string`, `closure`, code and system objects grouped), each object with its
 * self size and allocating stack. Stores that belong to an object (its elements, out-of-object
 * properties, a Map's or Set's hash table) are folded into their owner, as heapy's "dict of
 * class"; ArrayBuffer backing stores (outside the V8 heap) are kinds of their own, at the stack
 * that allocated their ArrayBuffer. Pure.
 */
import type { KindRecord } from '../trace/format';
import type { ParsedSnapshot } from './parse';

/** Objects of one kind allocated at one stack (`trace_tree` node; 0: untracked). */
export interface ObjectGroup {
  traceNode: number;
  kind: number;
  size: number;
  count: number;
}

export interface Partition {
  kinds: KindRecord[];
  groups: ObjectGroup[];
  /** Objects and bytes seen (synthetic roots left out), for the report's notes. */
  objects: number;
  bytes: number;
}

/** Internal edges from an object to a store it owns. */
const OWNED_STORES: ReadonlySet<string> = new Set(['elements', 'properties', 'table']);
/** Node types a store can have: V8's FixedArray family (`array`), PropertyArray (`hidden`). */
const STORE_TYPES: ReadonlySet<string> = new Set(['array', 'hidden']);

/** The kind of a node by its V8 type and name, before folding. */
export function kindOfNode(type: string, name: string): string | null {
  switch (type) {
    case 'object':
      // `system / Context` and friends are V8's own.
      return name.startsWith('system / ') || name === '' ? '(system)' : name;
    case 'closure':
      return 'closure';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return 'string';
    case 'array':
      return '(array)';
    case 'code':
      return '(code)';
    case 'hidden':
    case 'object shape':
      return '(system)';
    case 'number':
      return 'number';
    case 'regexp':
      return 'RegExp';
    case 'symbol':
      return 'symbol';
    case 'bigint':
      return 'bigint';
    case 'native':
      return '(native)';
    case 'synthetic':
      return null;
    default:
      return `(${type})`;
  }
}

/**
 * For an object node, where its constructor function starts (generated, 1-based), when V8 located
 * it in a script it named: the object's map, back along the maps it was made from (`back_pointer`)
 * to the one whose `constructor` is a closure. Maps are walked once each.
 */
function constructorPositions(snapshot: ParsedSnapshot): (node: number) => KindRecord['at'] | undefined {
  const { shapeEdges, shapeEdgeCount, strings, mapOf, locations, functions } = snapshot;
  const back = new Map<number, number>();
  const ctor = new Map<number, number>();
  const closureType = snapshot.nodeTypes.indexOf('closure');
  for (let e = 0; e < shapeEdgeCount; e++) {
    const from = shapeEdges[3 * e]!;
    const edgeName = strings[shapeEdges[3 * e + 1]!] ?? '';
    const to = shapeEdges[3 * e + 2]!;
    const toClosure = snapshot.type[to] === closureType;
    if ((edgeName === 'constructor' || edgeName === 'constructor_or_back_pointer') && toClosure) ctor.set(from, to);
    else if ((edgeName === 'back_pointer' || edgeName === 'constructor_or_back_pointer') && !toClosure) back.set(from, to);
  }
  const urlOfScript = new Map<number, string>();
  for (const f of functions) {
    const url = strings[f.scriptName] ?? '';
    if (f.scriptId > 0 && url !== '' && !urlOfScript.has(f.scriptId)) urlOfScript.set(f.scriptId, url);
  }
  type Found = { at: NonNullable<KindRecord['at']>; closureName: string } | null;
  const memo = new Map<number, Found>();
  const ofMap = (start: number): Found => {
    const seen: number[] = [];
    let map: number | undefined = start;
    let found: Found = null;
    for (let steps = 0; map !== undefined && steps < 10_000; steps++) {
      const known = memo.get(map);
      if (known !== undefined) {
        found = known;
        break;
      }
      seen.push(map);
      const closure = ctor.get(map);
      if (closure !== undefined) {
        const where = locations.get(closure);
        const url = where === undefined ? undefined : urlOfScript.get(where.scriptId);
        if (where !== undefined && url !== undefined) found = { at: { url, line: where.line + 1, column: where.column + 1 }, closureName: strings[snapshot.name[closure]!] ?? '' };
        break;
      }
      map = back.get(map);
    }
    for (const m of seen) memo.set(m, found);
    return found;
  };
  return (node) => {
    const map = mapOf[node]!;
    const found = map < 0 ? null : ofMap(map);
    // Only a constructor of the object's own name: a prototype object (named `Object`) or an
    // instance of a builtin's subclass (`class SafeMap extends Map`) is not named after it.
    return found !== null && found.closureName === strings[snapshot.name[node]!] ? found.at : undefined;
  };
}

export function partitionHeap(snapshot: ParsedSnapshot): Partition {
  const { nodeCount, type, name, selfSize, traceNode, strings, nodeTypes } = snapshot;
  const objectType = nodeTypes.indexOf('object');
  const nativeType = nodeTypes.indexOf('native');
  const storeTypes = new Set(nodeTypes.flatMap((t, i) => (STORE_TYPES.has(t) ? [i] : [])));

  // Owner of each folded store, backing store of each ArrayBuffer, a view of each ArrayBuffer.
  const owner = new Int32Array(nodeCount).fill(-1);
  const backingOf = new Map<number, number>();
  const viewOf = new Map<number, number>();
  const edges = snapshot.internalEdges;
  for (let e = 0; e < snapshot.internalEdgeCount; e++) {
    const from = edges[3 * e]!;
    const edgeName = strings[edges[3 * e + 1]!] ?? '';
    const to = edges[3 * e + 2]!;
    if (type[from] !== objectType || to >= nodeCount) continue;
    if (OWNED_STORES.has(edgeName)) {
      if (storeTypes.has(type[to]!) && owner[to] === -1 && selfSize[to]! > 0) owner[to] = from;
    } else if (edgeName === 'backing_store') {
      if (type[to] === nativeType) backingOf.set(to, from);
    } else if (edgeName === 'buffer') {
      if (!viewOf.has(to)) viewOf.set(to, from);
    }
  }

  const kindIndex = new Map<string, number>();
  const kinds: Partition['kinds'] = [];
  const kindOf = (kindName: string, external: boolean, at?: KindRecord['at']): number => {
    const key = external ? `\u0000${kindName}` : at === undefined ? kindName : `${kindName}\u0001${at.url}:${at.line}:${at.column}`;
    let k = kindIndex.get(key);
    if (k === undefined) {
      k = kinds.length;
      const record: KindRecord = { name: kindName };
      if (external) record.external = true;
      if (at !== undefined) record.at = at;
      kinds.push(record);
      kindIndex.set(key, k);
    }
    return k;
  };
  const constructorAt = constructorPositions(snapshot);
  const nodeKind = new Int32Array(nodeCount).fill(-1);
  const kindOfIndex = (n: number): number => {
    let k = nodeKind[n]!;
    if (k === -1) {
      const kind = kindOfNode(nodeTypes[type[n]!] ?? '', strings[name[n]!] ?? '');
      // An object of the program's own class: the kind also says where its constructor starts
      // (a minified name is resolved from there; two classes minified to one name stay apart).
      const at = kind !== null && type[n] === objectType && !kind.startsWith('(') ? constructorAt(n) : undefined;
      k = kind === null ? -2 : kindOf(kind, false, at);
      nodeKind[n] = k;
    }
    return k;
  };

  const groups = new Map<number, ObjectGroup>();
  const add = (trace: number, kind: number, size: number, count: number): void => {
    // Kinds stay far below 2^20: one number keys a (stack, kind) pair.
    const key = trace * 1048576 + kind;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { traceNode: trace, kind, size: 0, count: 0 }));
    g.size += size;
    g.count += count;
  };
  let objects = 0;
  let bytes = 0;
  for (let n = 0; n < nodeCount; n++) {
    const size = selfSize[n]!;
    const buffer = backingOf.get(n);
    if (buffer !== undefined) {
      // Outside the heap: a kind of its own, named after the view that uses it.
      const view = viewOf.get(buffer);
      const viewName = view === undefined ? 'ArrayBuffer' : (strings[name[view]!] ?? 'ArrayBuffer');
      if (size > 0) add(traceNode[buffer]!, kindOf(`${viewName} (external)`, true), size, 1);
      objects++;
      bytes += size;
      continue;
    }
    const own = owner[n]!;
    if (own >= 0) {
      const k = kindOfIndex(own);
      if (k >= 0) {
        add(traceNode[own]!, k, size, 0);
        bytes += size;
        continue;
      }
    }
    const k = kindOfIndex(n);
    if (k < 0) continue;
    add(traceNode[n]!, k, size, 1);
    objects++;
    bytes += size;
  }
  return { kinds, groups: [...groups.values()], objects, bytes };
}
