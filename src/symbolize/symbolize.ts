/**
 * Fills every script frame's `original` position through source maps, and each script's map
 * status. A script whose map is missing or broken keeps generated positions and yields one
 * warning; nothing here aborts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameRecord, ScriptFrameRecord, ScriptRecord, TraceFile } from '../trace/format';
import { fileOfUrl, relativeToRoot } from '../trace/paths';
import { SourceMapper, type MapperOptions, type MemoryMap } from './mapper';

export interface SymbolizeResult {
  trace: TraceFile;
  /** One line per script whose named map could not be used. */
  warnings: string[];
}

/** webpack's module URLs: `webpack://<namespace>/./src/a.ts`, `webpack-internal:///./src/a.ts`. */
const WEBPACK_URL = /^webpack(?:-internal)?:\/\/[^/]*\//;

/**
 * Display form of a resolved source: relative to the project root when it is a local file (kept
 * absolute when it lies outside the root and is not on this machine: a build machine's
 * `sourceRoot`); a webpack URL as the path under webpack's context, which is the project root
 * by default.
 */
export function sourcePath(root: string | null, source: string): string {
  const webpack = WEBPACK_URL.exec(source);
  if (webpack !== null) {
    const rest = path.posix.normalize(source.slice(webpack[0].length).split('?')[0] ?? '');
    return rest === '.' ? source : rest;
  }
  const file = fileOfUrl(source);
  if (file === null) return source;
  const shown = relativeToRoot(root, file);
  return shown.startsWith('../') && !fs.existsSync(file) ? file : shown;
}

/**
 * Resolves the scripts not resolved yet (`map: 'unresolved'`); scripts resolved earlier, maybe
 * on another machine, keep what they have.
 */
export function symbolizeTrace(trace: TraceFile, options: MapperOptions & { mapper?: SourceMapper } = {}): SymbolizeResult {
  const mapper = options.mapper ?? new SourceMapper({ memoryMaps: options.memoryMaps ?? memoryMapsOf(trace) });
  // A mapper of our own is dropped script by script: one map in memory at a time, not all of
  // them (2 000 maps of a large program held 0.9 GiB at once; docs/benchmarks.md).
  const release = options.mapper === undefined;
  const root = trace.meta.root;
  const warnings: string[] = [];
  const framesOfScript = new Map<number, number[]>();
  trace.frames.forEach((frame, i) => {
    if (frame.kind !== 'script' || trace.scripts[frame.script]?.map !== 'unresolved') return;
    let list = framesOfScript.get(frame.script);
    if (list === undefined) framesOfScript.set(frame.script, (list = []));
    list.push(i);
  });
  const frames: FrameRecord[] = [...trace.frames];
  const scripts: ScriptRecord[] = trace.scripts.map((script, i) => {
    if (script.map !== 'unresolved') return script;
    const info = mapper.info(script.url);
    // Keep what other stages recorded (--exact-lines); lines proven without this map are redone.
    const { mapError: _stale, code: _code, codeError: _codeError, ...rest } = script;
    const record: ScriptRecord = { ...rest, map: info.status };
    if (info.error !== undefined) {
      record.mapError = info.error;
      warnings.push(`${script.path ?? script.url}: ${info.error}; showing generated positions`);
    }
    for (const f of framesOfScript.get(i) ?? []) {
      const frame = frames[f];
      if (frame?.kind === 'script') frames[f] = resolveFrame(frame, script.url, mapper, root);
    }
    if (release) mapper.forget(script.url);
    return record;
  });
  return { trace: { ...trace, scripts, frames }, warnings };
}

function resolveFrame(frame: ScriptFrameRecord, url: string, mapper: SourceMapper, root: string | null): ScriptFrameRecord {
  const { original: _stale, ...rest } = frame;
  if (frame.topLevel === true) {
    // A module's top level is the whole file: only a map with a single source names it.
    // (A bundle's top level runs code of every bundled module.)
    const sources = mapper.sources(url);
    if (sources.length === 1 && sources[0] !== undefined) {
      return { ...rest, original: { source: sourcePath(root, sources[0]), line: 1, column: 1, name: null } };
    }
    return rest;
  }
  const resolved = mapper.resolve(url, { line: frame.line, column: frame.column });
  if (resolved.kind === 'mapped') {
    return { ...rest, original: { source: sourcePath(root, resolved.source), line: resolved.line, column: resolved.column, name: resolved.name } };
  }
  return rest;
}

/**
 * The same trace with source maps ignored: originals dropped, scripts marked unresolved. Only this
 * stage's own fields change (`map`, `mapError`, `original`): what capture recorded (`memoryCode`,
 * `memoryMap`, `evalOf`, `exactLines`) stays, or lines could no longer be proven from the code.
 */
export function unsymbolizeTrace(trace: TraceFile): TraceFile {
  return {
    ...trace,
    scripts: trace.scripts.map((s) => {
      const { mapError: _dropped, ...rest } = s;
      return { ...rest, map: 'unresolved' };
    }),
    frames: trace.frames.map((f) => {
      if (f.kind !== 'script') return f;
      const { original: _dropped, ...rest } = f;
      return rest;
    }),
  };
}

/** Maps the traced process held in memory (captured into the trace), by script URL. */
export function memoryMapsOf(trace: TraceFile): Map<string, MemoryMap> {
  const maps = new Map<string, MemoryMap>();
  for (const s of trace.scripts) if (s.memoryMap !== undefined) maps.set(s.url, { map: s.memoryMap, url: s.url });
  return maps;
}
