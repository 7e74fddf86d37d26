/**
 * Source maps that exist only in the traced process: loaders such as tsx transpile `.ts` in
 * memory and append an inline map to the code V8 runs, so nothing on disk maps it. Node keeps
 * those maps when source maps are enabled (tsx enables them); for loaders that do not enable
 * them, the inline map is read from what V8 loaded (TypeScript/JSX files only: it takes the
 * debugger). Either way they are copied into the trace.
 */
import * as fs from 'node:fs';
import Module = require('node:module');
import type { ScriptRecord } from '../trace/format';
import { decodeDataUrl } from '../data-url';
import { ANONYMOUS_SCRIPT, fileOfUrl } from '../trace/paths';
import type { LoadedScript } from './engine';

/** Files no runtime loads as they are: a loader must have transpiled them. */
const TRANSPILED = /\.(?:ts|tsx|mts|cts|jsx)$/i;

const TAIL_BYTES = 4096;

/** Whether the file on disk names its own map (then the reader finds it there). */
function namesItsOwnMap(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').includes('sourceMappingURL=');
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function withoutSources(payload: unknown): Record<string, unknown> | null {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
  // The sources' text is on disk: keep the trace small.
  const { sourcesContent: _dropped, ...map } = payload as Record<string, unknown>;
  return map;
}

/** Parses an inline map's data: URL into a map without `sourcesContent`, or `null`. */
function inlineMap(sourceMapURL: string): Record<string, unknown> | null {
  const text = sourceMapURL.startsWith('data:') ? decodeDataUrl(sourceMapURL) : null;
  if (text === null) return null;
  try {
    return withoutSources(JSON.parse(text));
  } catch {
    return null; // a broken inline map: the script keeps generated positions
  }
}

/**
 * Adds what exists only in the traced process's memory to the scripts of a trace:
 * - `memoryMap`, for files a loader transpiled in memory (tsx): Node's copy of the map, else the
 *   inline map V8 saw in the loaded source;
 * - `memoryCode`, the code V8 ran for those (not the file on disk), so lines can be resolved;
 * - for eval'd code that named itself with `//# sourceURL` (webpack's `eval` and
 *   `eval-source-map` builds), which the sampling profile reports without a URL: that name
 *   (`evalOf`), its inline map and its code.
 * `loadedScripts` asks V8 (through the debugger) and is called at most once, only when needed.
 */
export function attachMemoryMaps(scripts: ScriptRecord[], loadedScripts: (wantSource: (s: LoadedScript) => boolean) => readonly LoadedScript[]): void {
  const find = (Module as unknown as { findSourceMap?: (path: string) => { payload?: unknown } | undefined }).findSourceMap;
  // In-memory scripts, by file path (the debugger names CommonJS scripts by file: URL, the
  // profiler by path: compare as paths).
  const inMemory = new Map<string, ScriptRecord>();
  for (const script of scripts) {
    const file = fileOfUrl(script.url);
    if (file === null) continue;
    let payload: unknown;
    try {
      payload = typeof find === 'function' ? find(script.url)?.payload : undefined;
    } catch {
      payload = undefined;
    }
    const map = withoutSources(payload);
    // Only files whose map is not on disk (the few read here are the candidates, not all).
    if ((map === null && !TRANSPILED.test(file)) || namesItsOwnMap(file)) continue;
    if (map !== null) script.memoryMap = map;
    inMemory.set(file, script);
  }
  const anonymous = new Map<number, ScriptRecord>();
  for (const script of scripts) {
    const id = ANONYMOUS_SCRIPT.exec(script.url)?.[1];
    if (id !== undefined) anonymous.set(Number(id), script);
  }
  if (inMemory.size === 0 && anonymous.size === 0) return;

  const pathOf = (s: LoadedScript): string => fileOfUrl(s.url) ?? s.url;
  const loaded = loadedScripts((s) => (anonymous.has(s.scriptId) && s.url !== '') || inMemory.has(pathOf(s)));
  for (const s of loaded) {
    const eval_ = anonymous.get(s.scriptId);
    const script = eval_ !== undefined && s.url !== '' ? eval_ : inMemory.get(pathOf(s));
    if (script === undefined) continue;
    if (script === eval_) {
      script.url = s.url;
      script.evalOf = s.scriptId;
    }
    if (script.memoryMap === undefined) {
      const map = inlineMap(s.sourceMapURL);
      if (map !== null) script.memoryMap = map;
    }
    if (s.source !== undefined) script.memoryCode = s.source;
  }
}
