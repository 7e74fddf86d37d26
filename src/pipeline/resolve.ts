/**
 * The one path from a trace as read to a trace ready to analyze, for every command and the
 * library. Stages, in order, each touching only its own fields and leaving what is already
 * resolved as it is (so a saved trace passes through unchanged):
 *
 *   1. `--exact-lines` positions read back (`lines/read-wrapped.ts`: frames' positions, `wrapper`);
 *   2. source maps (`symbolize/`: scripts' `map`/`mapError`, frames' `original`), or with source
 *      maps off, those fields dropped;
 *   2b. object traces' kinds: minified class names resolved (`symbolize/kind-names.ts`: `kinds[].original`);
 *   3. proven lines (`lines/resolve-lines.ts`: scripts' `code`, frames' `self`, `stacks.call`),
 *      redone from generated positions when source maps are off.
 */
import { CodeCache } from '../lines/code-cache';
import { readWrappedPositions } from '../lines/read-wrapped';
import { dropLines, resolveLines } from '../lines/resolve-lines';
import { SourceMapper } from '../symbolize/mapper';
import { memoryMapsOf, symbolizeTrace, unsymbolizeTrace } from '../symbolize/symbolize';
import { dropKindNames, resolveKindNames } from '../symbolize/kind-names';
import type { TraceFile } from '../trace/format';
import { diagnosticsOf, uniqueDiagnostics, type Diagnostic } from './diagnostics';

/** Per-run caches of source maps and parsed scripts, shared by every trace of one command. */
export interface Resolvers {
  mapper: SourceMapper;
  cache: CodeCache;
}

/** Fresh per-run caches; the mapper knows the in-memory maps of `traces`. */
export function resolversFor(traces: readonly TraceFile[], cache = new CodeCache()): Resolvers {
  const memoryMaps = new Map(traces.flatMap((t) => [...memoryMapsOf(t)]));
  return { mapper: new SourceMapper({ memoryMaps }), cache };
}

/**
 * Caches for one trace resolved once: a script's map and parsed code are let go as soon as the
 * next script is taken (each stage asks about each script once, script by script). Retaining
 * them for later traces that never come cost 2× the report's time in garbage collection on
 * 10 K samples over 2 000 scripts (7.3 s → 3.3 s, 690 → 97 MB; docs/benchmarks.md, section 7).
 */
export function singleUseResolvers(trace: TraceFile): Resolvers {
  return { mapper: new SourceMapper({ memoryMaps: memoryMapsOf(trace), maxRetainedBytes: 0 }), cache: new CodeCache(0) };
}

export interface ResolveOptions {
  /** `false` (`--no-source-maps`): generated positions, lines proven from the generated code. */
  sourceMaps: boolean;
  /** Caches to share with other calls (default: fresh ones knowing these traces' in-memory maps). */
  resolvers?: Resolvers;
}

export interface ResolvedTrace {
  trace: TraceFile;
  diagnostics: Diagnostic[];
}

/** One trace through every stage. */
export function resolveTrace(trace: TraceFile, options: ResolveOptions): ResolvedTrace {
  const { mapper, cache } = options.resolvers ?? singleUseResolvers(trace);
  const read = readWrappedPositions(trace, cache);
  const diagnostics = diagnosticsOf('exact-lines', read.warnings);
  if (!options.sourceMaps) {
    const lines = resolveLines(dropLines(dropKindNames(unsymbolizeTrace(read.trace))), { mapper: null, cache });
    return { trace: lines.trace, diagnostics: [...diagnostics, ...diagnosticsOf('lines', lines.warnings)] };
  }
  const symbolized = symbolizeTrace(read.trace, { mapper });
  // Object traces: minified class names back to the original ones, through the same maps.
  const lines = resolveLines(resolveKindNames(symbolized.trace, mapper), { mapper, cache });
  return { trace: lines.trace, diagnostics: [...diagnostics, ...diagnosticsOf('map', symbolized.warnings), ...diagnosticsOf('lines', lines.warnings)] };
}

/**
 * Several traces (threads, processes or snapshots of one run), each through every stage with one
 * set of caches (each script's map and code read once), kept apart and in order. A diagnostic
 * shared by several traces is given once.
 */
export function resolveTraces(traces: readonly TraceFile[], options: ResolveOptions): { traces: TraceFile[]; diagnostics: Diagnostic[] } {
  const resolvers = options.resolvers ?? (traces.length === 1 ? singleUseResolvers(traces[0]!) : resolversFor(traces));
  const diagnostics: Diagnostic[] = [];
  const resolved = traces.map((t) => {
    const result = resolveTrace(t, { sourceMaps: options.sourceMaps, resolvers });
    diagnostics.push(...result.diagnostics);
    return result.trace;
  });
  return { traces: resolved, diagnostics: uniqueDiagnostics(diagnostics) };
}
