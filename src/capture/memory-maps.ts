/**
 * Source maps that exist only in the traced process: loaders such as tsx transpile `.ts` in
 * memory and append an inline map to the code V8 runs, so nothing on disk maps it. Node keeps
 * those maps when source maps are enabled (tsx enables them); they are copied into the trace.
 */
import * as fs from 'node:fs';
import Module = require('node:module');
import type { ScriptRecord } from '../trace/format';
import { fileOfUrl } from '../trace/v8-profile';

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

/** Adds `memoryMap` to the scripts Node holds an in-memory map for. */
export function attachMemoryMaps(scripts: ScriptRecord[]): void {
  const find = (Module as unknown as { findSourceMap?: (path: string) => { payload?: unknown } | undefined }).findSourceMap;
  if (typeof find !== 'function') return;
  for (const script of scripts) {
    const file = fileOfUrl(script.url);
    if (file === null) continue;
    let payload: unknown;
    try {
      payload = find(script.url)?.payload;
    } catch {
      payload = undefined;
    }
    if (payload === null || typeof payload !== 'object' || namesItsOwnMap(file)) continue;
    // The sources' text is on disk: keep the trace small.
    const { sourcesContent: _dropped, ...map } = payload as Record<string, unknown>;
    script.memoryMap = map;
  }
}
