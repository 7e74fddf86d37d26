/**
 * Fills every script frame's `original` position through source maps, and each script's map
 * status. A script whose map is missing or broken keeps generated positions and yields one
 * warning; nothing here aborts.
 */
import type { FrameRecord, ScriptRecord, TraceFile } from '../trace/format';
import { fileOfUrl, relativeToRoot } from '../trace/v8-profile';
import { SourceMapper, type MapperOptions, type MemoryMap } from './mapper';

export interface SymbolizeResult {
  trace: TraceFile;
  /** One line per script whose named map could not be used. */
  warnings: string[];
}

/** Display form of a resolved source: relative to the project root when it is a local file. */
export function sourcePath(root: string | null, source: string): string {
  const file = fileOfUrl(source);
  return file === null ? source : relativeToRoot(root, file);
}

/**
 * Resolves the scripts not resolved yet (`map: 'unresolved'`); scripts resolved earlier, maybe
 * on another machine, keep what they have.
 */
export function symbolizeTrace(trace: TraceFile, options: MapperOptions & { mapper?: SourceMapper } = {}): SymbolizeResult {
  const mapper = options.mapper ?? new SourceMapper({ memoryMaps: options.memoryMaps ?? memoryMapsOf(trace) });
  const root = trace.meta.root;
  const warnings: string[] = [];
  const pending = new Set<number>();
  const scripts: ScriptRecord[] = trace.scripts.map((script, i) => {
    if (script.map !== 'unresolved') return script;
    pending.add(i);
    const info = mapper.info(script.url);
    // Keep what other stages recorded (--exact-lines); lines proven without this map are redone.
    const { mapError: _stale, code: _code, codeError: _codeError, ...rest } = script;
    const record: ScriptRecord = { ...rest, map: info.status };
    if (info.error !== undefined) {
      record.mapError = info.error;
      warnings.push(`${script.path ?? script.url}: ${info.error}; showing generated positions`);
    }
    return record;
  });
  const frames: FrameRecord[] = trace.frames.map((frame) => {
    if (frame.kind !== 'script' || !pending.has(frame.script)) return frame;
    const script = trace.scripts[frame.script];
    if (script === undefined) return frame;
    const { original: _stale, ...rest } = frame;
    if (frame.topLevel === true) {
      // A module's top level is the whole file: only a map with a single source names it.
      // (A bundle's top level runs code of every bundled module.)
      const sources = mapper.sources(script.url);
      if (sources.length === 1 && sources[0] !== undefined) {
        return { ...rest, original: { source: sourcePath(root, sources[0]), line: 1, column: 1, name: null } };
      }
      return rest;
    }
    const resolved = mapper.resolve(script.url, { line: frame.line, column: frame.column });
    if (resolved.kind === 'mapped') {
      return { ...rest, original: { source: sourcePath(root, resolved.source), line: resolved.line, column: resolved.column, name: resolved.name } };
    }
    return rest;
  });
  return { trace: { ...trace, scripts, frames }, warnings };
}

/** The same trace with source maps ignored: originals dropped, scripts marked unresolved. */
export function unsymbolizeTrace(trace: TraceFile): TraceFile {
  return {
    ...trace,
    scripts: trace.scripts.map((s) => ({ url: s.url, path: s.path, map: 'unresolved', ...(s.exactLines === undefined ? {} : { exactLines: s.exactLines }) })),
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
