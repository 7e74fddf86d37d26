/**
 * Finding a generated file's source map: the `sourceMappingURL` comment (data: URL or a path
 * relative to the file), else a `<file>.map` beside it. Remote URLs are never fetched. Returns
 * data, never throws: a problem is a `{ kind: 'error' }` with a one-line reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../errors';
import { decodeDataUrl } from '../data-url';
import { FileReadError, readRegularFile } from '../read-file';

export type LocatedMap =
  | { kind: 'inline'; text: string; /** The generated file: inline maps resolve sources against it. */ url: string }
  | { kind: 'external'; text: string; /** Path of the map file. */ url: string }
  | { kind: 'none' }
  | { kind: 'error'; message: string };

/** Largest source map we read: a bigger one is treated as broken rather than freezing the report. */
export const MAX_MAP_BYTES = 256 * 1024 * 1024;

const COMMENT = /(?:\/\/|\/\*)[#@][ \t]+sourceMappingURL=([^\s'"*]+)[ \t]*(?:\*\/)?[ \t]*$/gm;

/** The last `sourceMappingURL` in `source`, or `null`. */
export function findSourceMappingUrl(source: string): string | null {
  // The comment belongs at the end; look only at the tail so huge bundles stay cheap.
  const tail = source.length > 1_000_000 ? source.slice(source.lastIndexOf('sourceMappingURL=') - 16) : source;
  let last: string | null = null;
  for (const match of tail.matchAll(COMMENT)) last = match[1] ?? null;
  return last;
}

export { decodeDataUrl };

function readMapFile(mapPath: string, display: string): LocatedMap {
  try {
    return { kind: 'external', text: readRegularFile(mapPath, MAX_MAP_BYTES), url: mapPath };
  } catch (error) {
    if (error instanceof FileReadError && error.code === 'EFBIG') return { kind: 'error', message: `source map ${display} is ${error.message}` };
    return { kind: 'error', message: `source map ${display}: ${describeError(error)}` };
  }
}

/** Locates the map of the generated file at `file` (absolute path), whose text is `source`. */
export function locateMap(file: string, source: string): LocatedMap {
  const ref = findSourceMappingUrl(source);
  const beside = `${file}.map`;
  if (ref === null) return fs.existsSync(beside) ? readMapFile(beside, path.basename(beside)) : { kind: 'none' };
  if (ref.startsWith('data:')) {
    const text = decodeDataUrl(ref);
    return text === null ? { kind: 'error', message: 'inline source map is not a readable data: URL' } : { kind: 'inline', text, url: file };
  }
  // A map the comment points elsewhere for (tsc's --mapRoot, a CDN) is often also deployed beside
  // the file: use that one rather than report the file unmapped.
  const orBeside = (problem: LocatedMap): LocatedMap => (fs.existsSync(beside) ? readMapFile(beside, path.basename(beside)) : problem);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !ref.startsWith('file://')) {
    return orBeside({ kind: 'error', message: `source map ${ref} is remote and is not fetched` });
  }
  let mapPath: string;
  try {
    mapPath = ref.startsWith('file://') ? fileURLToPath(ref) : path.resolve(path.dirname(file), decodeURIComponent(ref));
  } catch {
    return orBeside({ kind: 'error', message: `source map URL ${ref} is malformed` });
  }
  if (!fs.existsSync(mapPath) && mapPath !== beside) return orBeside(readMapFile(mapPath, ref));
  return readMapFile(mapPath, ref);
}
