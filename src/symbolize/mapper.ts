/**
 * Maps generated positions to original ones through source maps, with a per-run cache of
 * loaded maps. Never throws on bad input: a missing or broken map makes that script
 * `unmapped` with a reason, and the caller falls back to generated positions.
 */
import {
  AnyMap,
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
  originalPositionFor,
  type TraceMap,
} from '@jridgewell/trace-mapping';
import { BoundedCache } from '../bounded-cache';
import { describeError } from '../errors';
import { readRegularFile } from '../read-file';
import type { MapStatus } from '../trace/format';
import { fileOfUrl } from '../trace/paths';
import { locateMap, MAX_MAP_BYTES, type LocatedMap } from './locate-map';

/** A 1-based line and column, the model's convention. */
export interface Position {
  line: number;
  column: number;
}

export type Resolution =
  | { kind: 'mapped'; /** Absolute path or URL of the original source. */ source: string; line: number; column: number; name: string | null }
  | { kind: 'unmapped' };

export interface ScriptMapInfo {
  status: MapStatus;
  error?: string;
}

interface CachedMap {
  info: ScriptMapInfo;
  map: TraceMap | null;
  /** Size of the map's text: what holding it costs, roughly (decoded, several times that). */
  bytes: number;
}

/** A map handed over by the traced process (e.g. loaders that transpile in memory). */
export interface MemoryMap {
  /** The map as JSON text or object. */
  map: unknown;
  /** URL sources are resolved against. */
  url: string;
}

export interface MapperOptions {
  /** Maps captured in the traced process, by script URL; used when the file has none. */
  memoryMaps?: ReadonlyMap<string, MemoryMap>;
  /** Most bytes of map text kept loaded; least recently used maps beyond it are let go. */
  maxRetainedBytes?: number;
}

/**
 * Default for `maxRetainedBytes`. Decoded, a map takes some ten times its text: 2 000 maps of a
 * large program (64 MiB of text) held 0.9 GiB at once (docs/benchmarks.md).
 */
export const RETAINED_MAP_BYTES = 8 * 1024 * 1024;

export class SourceMapper {
  private readonly scripts: BoundedCache<CachedMap>;
  private readonly options: MapperOptions;

  constructor(options: MapperOptions = {}) {
    this.options = options;
    this.scripts = new BoundedCache(options.maxRetainedBytes ?? RETAINED_MAP_BYTES);
  }

  /** What is known about the script's map (loads it on first use). */
  info(url: string): ScriptMapInfo {
    return this.load(url).info;
  }

  /** Original position of a generated 1-based position in the script at `url`. */
  resolve(url: string, position: Position): Resolution {
    const { map } = this.load(url);
    if (map === null) return { kind: 'unmapped' };
    try {
      // trace-mapping takes 1-based lines and 0-based columns. Needles are written out, not
      // spread from a shared object: the spread cost 4× the lookup itself (bench/sourcemap.ts).
      const line = position.line;
      const column = Math.max(0, position.column - 1);
      let found = originalPositionFor(map, { line, column, bias: GREATEST_LOWER_BOUND });
      if (found.source === null) found = originalPositionFor(map, { line, column, bias: LEAST_UPPER_BOUND });
      if (typeof found.source !== 'string' || typeof found.line !== 'number' || typeof found.column !== 'number') return { kind: 'unmapped' };
      return { kind: 'mapped', source: found.source, line: found.line, column: found.column + 1, name: functionName(found.name) };
    } catch {
      return { kind: 'unmapped' };
    }
  }

  /** Drops what is cached for `url` (its map is loaded again if asked for). */
  forget(url: string): void {
    this.scripts.delete(url);
  }

  /** The sources a script's map names (resolved), or `[]`. */
  sources(url: string): readonly string[] {
    const { map } = this.load(url);
    return map === null ? [] : map.resolvedSources.filter((s): s is string => typeof s === 'string');
  }

  private load(url: string): CachedMap {
    let loaded = this.scripts.get(url);
    if (loaded === undefined) {
      loaded = this.loadUncached(url);
      this.scripts.set(url, loaded, loaded.bytes);
      this.scripts.trim(url);
    }
    return loaded;
  }

  private loadUncached(url: string): CachedMap {
    const memory = this.options.memoryMaps?.get(url);
    if (memory !== undefined) return parseMap({ kind: 'inline', text: '', url: memory.url }, 'memory', memory.map);
    const file = fileOfUrl(url);
    if (file === null) return { info: { status: 'none' }, map: null, bytes: 0 };
    let source: string;
    try {
      // Bounded as a map is: a script only matters here for its sourceMappingURL comment.
      source = readRegularFile(file, MAX_MAP_BYTES);
    } catch (error) {
      return { info: { status: 'error', error: `cannot read ${file}: ${describeError(error)}` }, map: null, bytes: 0 };
    }
    const located = locateMap(file, source);
    if (located.kind === 'none') return { info: { status: 'none' }, map: null, bytes: 0 };
    if (located.kind === 'error') return { info: { status: 'error', error: located.message }, map: null, bytes: 0 };
    return parseMap(located, located.kind);
  }
}

/**
 * Words no function is named by that minifiers still attach to a function's first segment
 * (terser names an inlined `async function` segment `async`): no name rather than a wrong one.
 */
const NOT_NAMES: ReadonlySet<string> = new Set(['async', 'function', 'class', 'return', 'new', 'await', 'yield', 'const', 'let', 'var', 'this', 'super', 'static']);

function functionName(name: unknown): string | null {
  return typeof name !== 'string' || name === '' || NOT_NAMES.has(name) ? null : name;
}

/** Deepest `sections` nesting looked at: AnyMap recurses, and a crafted map can nest thousands. */
const MAX_SECTION_DEPTH = 32;

function isOptionalStringArray(value: unknown, nulls: boolean): boolean {
  return value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string' || (nulls && v === null)));
}

/**
 * What is wrong with a parsed map's shape, or `null`: the fields the mapper and the trace use
 * must have the spec's types (`names` of numbers once crashed a report and made an unreadable trace).
 */
export function mapShapeProblem(json: unknown, depth = 0): string | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'source map is not a JSON object';
  const map = json as Record<string, unknown>;
  if (map['version'] !== 3) return `source map version ${JSON.stringify(map['version']) ?? 'missing'} is not supported (only the number 3)`;
  if (map['sections'] !== undefined) {
    if (depth >= MAX_SECTION_DEPTH) return `source map sections nest deeper than ${MAX_SECTION_DEPTH}`;
    if (!Array.isArray(map['sections'])) return 'source map is malformed: sections is not an array';
    for (const section of map['sections'] as unknown[]) {
      if (typeof section !== 'object' || section === null) return 'source map is malformed: a section is not an object';
      const problem = mapShapeProblem((section as Record<string, unknown>)['map'], depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (typeof map['mappings'] !== 'string') return 'source map is malformed: mappings is not a string';
  if (!Array.isArray(map['sources']) || !isOptionalStringArray(map['sources'], true)) return 'source map is malformed: a source is not a string';
  if (!isOptionalStringArray(map['names'], false)) return 'source map is malformed: a name is not a string';
  if (!isOptionalStringArray(map['sourcesContent'], true)) return 'source map is malformed: sourcesContent holds a non-string';
  if (map['sourceRoot'] !== undefined && map['sourceRoot'] !== null && typeof map['sourceRoot'] !== 'string') return 'source map is malformed: sourceRoot is not a string';
  if (map['file'] !== undefined && map['file'] !== null && typeof map['file'] !== 'string') return 'source map is malformed: file is not a string';
  return null;
}

/**
 * The map's JSON text as the spec lets it be served: a byte order mark, or a first line starting
 * with the XSSI guard `)]}'`, comes off before parsing.
 */
export function stripMapPrefix(text: string): string {
  const unmarked = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!unmarked.startsWith(")]}'")) return unmarked;
  const newline = unmarked.indexOf('\n');
  return newline < 0 ? '' : unmarked.slice(newline + 1);
}

function parseMap(located: Extract<LocatedMap, { text: string }>, status: MapStatus, parsed?: unknown): CachedMap {
  let json: unknown = parsed;
  try {
    if (json === undefined || typeof json === 'string') json = JSON.parse(stripMapPrefix((json as string | undefined) ?? located.text));
  } catch {
    return { info: { status: 'error', error: 'source map is not valid JSON' }, map: null, bytes: 0 };
  }
  const problem = mapShapeProblem(json);
  if (problem !== null) return { info: { status: 'error', error: problem }, map: null, bytes: 0 };
  try {
    const map = new AnyMap(json as ConstructorParameters<typeof AnyMap>[0], located.url);
    return { info: { status }, map, bytes: located.text.length || (typeof parsed === 'string' ? parsed.length : 0) };
  } catch (error) {
    return { info: { status: 'error', error: `source map is malformed: ${describeError(error)}` }, map: null, bytes: 0 };
  }
}
