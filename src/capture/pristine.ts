/**
 * The traced program may replace globals and built-in methods (`Date`, `JSON.stringify`,
 * `Array.prototype.map`, `fs.openSync`, a `toJSON` on `Object.prototype`…) before it exits; the
 * code that writes its trace uses all of them. So the preload records, when it loads, the
 * properties of the objects that code relies on, and puts them back for the duration of a
 * write (synchronous: no program code runs meanwhile), then puts the program's back.
 * This module itself uses only references it took at load time, and no array or map methods.
 */

const { ownKeys, getOwnPropertyDescriptor, defineProperty, deleteProperty, getPrototypeOf } = Reflect;
const create = Object.create;

/** Global names the writing code reaches (a program may assign any of them). */
const GLOBALS = [
  'Array', 'ArrayBuffer', 'Atomics', 'BigInt', 'Boolean', 'Buffer', 'Date', 'Error', 'Function', 'Int32Array', 'JSON', 'Map', 'Math',
  'Number', 'Object', 'Promise', 'Proxy', 'Reflect', 'RegExp', 'Set', 'SharedArrayBuffer', 'String', 'Symbol', 'TextDecoder', 'TextEncoder',
  'TypeError', 'URL', 'Uint8Array', 'WeakMap', 'WeakSet', 'decodeURIComponent', 'encodeURIComponent', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
];

interface Saved {
  target: object;
  keys: PropertyKey[];
  descriptors: Array<PropertyDescriptor | undefined>;
  /** Whether properties the program adds are taken away while writing (prototypes: `toJSON`). */
  removeAdded: boolean;
}

function save(target: object, keys: PropertyKey[] | null, removeAdded: boolean): Saved {
  const own = keys ?? ownKeys(target);
  const descriptors: Array<PropertyDescriptor | undefined> = [];
  for (let i = 0; i < own.length; i++) descriptors[i] = getOwnPropertyDescriptor(target, own[i] as PropertyKey);
  return { target, keys: own, descriptors, removeAdded };
}

function same(a: PropertyDescriptor | undefined, b: PropertyDescriptor | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.value === b.value && a.get === b.get && a.set === b.set;
}

let saved: Saved[] | null = null;

/** Records the properties (call once, as early as possible). */
export function recordPristine(): void {
  if (saved !== null) return;
  const iteratorOf = (value: { [Symbol.iterator](): unknown }): object => getPrototypeOf(value[Symbol.iterator]() as object) as object;
  const prototypes: object[] = [
    Object, Object.prototype, Array, Array.prototype, String, String.prototype, Number, Number.prototype, Boolean.prototype, Function.prototype,
    Symbol, Symbol.prototype, Math, JSON, Date, Date.prototype, Map.prototype, Set.prototype, WeakMap.prototype, WeakSet.prototype, RegExp.prototype,
    Promise, Promise.prototype, Error, Error.prototype, Reflect, Atomics, BigInt.prototype, ArrayBuffer.prototype, SharedArrayBuffer.prototype,
    getPrototypeOf(Uint8Array.prototype) as object, Uint8Array.prototype, Int32Array.prototype, Buffer, Buffer.prototype,
    iteratorOf([]), getPrototypeOf(iteratorOf([])) as object, iteratorOf(new Map()), iteratorOf(new Set()), iteratorOf(''),
    getPrototypeOf((function* () {})()) as object, TextEncoder.prototype, TextDecoder.prototype, URL, URL.prototype,
  ];
  const list: Saved[] = [save(globalThis, GLOBALS, false)];
  for (const p of prototypes) list[list.length] = save(p, null, true);
  // Node modules the writer calls (a program may patch their functions), and process's functions.
  // The modules themselves, not a namespace copy (`import * as` makes one): what a patch changes.
  const path = require('node:path') as typeof import('node:path');
  for (const m of [require('node:fs') as object, require('node:os') as object, path, path.posix]) list[list.length] = save(m, null, false);
  const processFunctions: PropertyKey[] = [];
  for (const key of ownKeys(process)) if (typeof getOwnPropertyDescriptor(process, key)?.value === 'function') processFunctions[processFunctions.length] = key;
  list[list.length] = save(process, processFunctions, false);
  saved = list;
}

/**
 * Puts the recorded properties back; returns what puts the program's back. Properties that
 * cannot be redefined (made non-configurable by the program) stay as they are.
 */
export function usePristine(): () => void {
  const undo: Array<{ target: object; key: PropertyKey; descriptor: PropertyDescriptor | undefined }> = [];
  const list = saved;
  if (list === null) return () => undefined;
  for (let s = 0; s < list.length; s++) {
    const { target, keys, descriptors, removeAdded } = list[s] as Saved;
    let known: Record<PropertyKey, true> | null = null;
    if (removeAdded) {
      known = create(null) as Record<PropertyKey, true>;
      for (let i = 0; i < keys.length; i++) known[keys[i] as PropertyKey] = true;
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as PropertyKey;
      const original = descriptors[i];
      const current = getOwnPropertyDescriptor(target, key);
      if (same(original, current)) continue;
      const done = original === undefined ? deleteProperty(target, key) : defineProperty(target, key, original);
      if (done) undo[undo.length] = { target, key, descriptor: current };
    }
    if (known !== null) {
      const now = ownKeys(target);
      for (let i = 0; i < now.length; i++) {
        const key = now[i] as PropertyKey;
        if (known[key] === true) continue;
        const current = getOwnPropertyDescriptor(target, key);
        if (deleteProperty(target, key)) undo[undo.length] = { target, key, descriptor: current };
      }
    }
  }
  return () => {
    for (let i = undo.length - 1; i >= 0; i--) {
      const { target, key, descriptor } = undo[i] as (typeof undo)[number];
      if (descriptor === undefined) deleteProperty(target, key);
      else defineProperty(target, key, descriptor);
    }
  };
}
