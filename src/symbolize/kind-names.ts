/**
 * The original names of kinds a minifier renamed: a kind of objects made by the program's own
 * constructor records where that function starts (`kinds[].at`, generated); through the script's
 * source map that is a place in the original source, where the class is named. The nearest
 * `class Name` at or above that place in the original text (the constructor of a class is
 * inside it), or the map's own name for a `function Name` constructor. Unresolved is no change.
 */
import type { KindRecord, TraceFile } from '../trace/format';
import { fileOfUrl } from '../trace/paths';
import { readRegularFile } from '../read-file';
import type { SourceMapper } from './mapper';

/** How far above the constructor its class's name may be (a class with a long field list). */
const MAX_LINES_ABOVE = 200;
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;
const CLASS_NAME = /\bclass\s+([A-Za-z_$][\w$]*)/g;

export function resolveKindNames(trace: TraceFile, mapper: SourceMapper): TraceFile {
  const kinds = trace.kinds;
  if (kinds === undefined || !kinds.some((k) => k.at !== undefined)) return trace;
  const sources = new Map<string, string[] | null>();
  const linesOf = (source: string): string[] | null => {
    let lines = sources.get(source);
    if (lines === undefined) {
      const file = fileOfUrl(source) ?? source;
      try {
        lines = readRegularFile(file, MAX_SOURCE_BYTES).split('\n');
      } catch {
        lines = null;
      }
      sources.set(source, lines);
    }
    return lines;
  };
  const resolved = kinds.map((kind): KindRecord => {
    const { original: _stale, ...rest } = kind;
    if (kind.at === undefined) return rest;
    const found = mapper.resolve(kind.at.url, { line: kind.at.line, column: kind.at.column });
    if (found.kind !== 'mapped') return rest;
    const name = classAbove(linesOf(found.source), found.line, found.column) ?? (found.name !== null && found.name !== 'constructor' ? found.name : null);
    return name === null || name === kind.name ? rest : { ...rest, original: name };
  });
  return { ...trace, kinds: resolved };
}

/** The last `class Name` at or before (line, column), 1-based, within MAX_LINES_ABOVE lines. */
function classAbove(lines: string[] | null, line: number, column: number): string | null {
  if (lines === null || line < 1 || line > lines.length) return null;
  for (let l = line; l >= Math.max(1, line - MAX_LINES_ABOVE); l--) {
    const text = l === line ? (lines[l - 1] ?? '').slice(0, column + 64) : (lines[l - 1] ?? '');
    let last: string | null = null;
    for (const m of text.matchAll(CLASS_NAME)) last = m[1] ?? null;
    if (last !== null) return last;
  }
  return null;
}

/** The same trace with kinds' original names dropped (`--no-source-maps`). */
export function dropKindNames(trace: TraceFile): TraceFile {
  if (trace.kinds === undefined || !trace.kinds.some((k) => k.original !== undefined)) return trace;
  return { ...trace, kinds: trace.kinds.map(({ original: _dropped, ...rest }) => rest) };
}
