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
import { decodeDataUrl } from '../symbolize/locate-map';
import { ANONYMOUS_SCRIPT, fileOfUrl } from '../trace/v8-profile';
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

/**
 * Adds `memoryMap` to the scripts whose map exists only in memory. `loadedScripts` asks V8 for
 * the scripts it loaded and the maps their sources name (called only when needed).
 */
export function attachMemoryMaps(scripts: ScriptRecord[], loadedScripts: () => readonly LoadedScript[]): void {
  nameEvalScripts(scripts, loadedScripts);
  const find = (Module as unknown as { findSourceMap?: (path: string) => { payload?: unknown } | undefined }).findSourceMap;
  const missing: ScriptRecord[] = [];
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
    else missing.push(script);
  }
  if (missing.length === 0) return;
  // The debugger names CommonJS scripts by file: URL, the profiler by path: compare as paths.
  const loaded = new Map(loadedScripts().filter((s) => s.sourceMapURL !== '').map((s) => [fileOfUrl(s.url) ?? s.url, s.sourceMapURL]));
  for (const script of missing) {
    const url = loaded.get(fileOfUrl(script.url) ?? script.url);
    const text = url === undefined ? null : decodeDataUrl(url);
    if (text === null) continue;
    try {
      const map = withoutSources(JSON.parse(text));
      if (map !== null) script.memoryMap = map;
    } catch {
      // A broken inline map: the file keeps generated positions.
    }
  }
}

/**
 * Eval'd code (webpack's `eval` and `eval-source-map` builds run every module so) reaches the
 * sampling profile without a URL, even when it names itself with `//# sourceURL`. The debugger
 * knows the name and the inline map by script id: both are put on the script.
 */
function nameEvalScripts(scripts: ScriptRecord[], loadedScripts: () => readonly LoadedScript[]): void {
  const anonymous = scripts.filter((s) => ANONYMOUS_SCRIPT.test(s.url));
  if (anonymous.length === 0) return;
  const byId = new Map(loadedScripts().map((s) => [s.scriptId, s]));
  for (const script of anonymous) {
    const id = Number(ANONYMOUS_SCRIPT.exec(script.url)?.[1]);
    const loaded = byId.get(id);
    if (loaded === undefined || loaded.url === '') continue;
    script.url = loaded.url;
    script.evalOf = id;
    const text = loaded.sourceMapURL.startsWith('data:') ? decodeDataUrl(loaded.sourceMapURL) : null;
    if (text === null) continue;
    try {
      const map = withoutSources(JSON.parse(text));
      if (map !== null) script.memoryMap = map;
    } catch {
      // A broken inline map: the script keeps generated positions.
    }
  }
}
