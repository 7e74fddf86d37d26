/**
 * Filters on a trace's samples: tracemalloc's `Filter(inclusive, filename_pattern, lineno,
 * all_frames)`, plus one switch that hides Node's own memory. A filter returns a smaller trace
 * (same scripts, frames and stacks; fewer samples), so every analysis works on it unchanged. Pure.
 */
import type { TraceFile } from '../trace/format';
import type { Location } from './location';
import { StackIndex, type AttributionOptions } from './statistics';

export interface TraceFilter {
  /** `true`: keep only matching samples (any inclusive filter may match); `false`: drop them. */
  inclusive: boolean;
  /**
   * Glob on the file path shown in reports (original source when mapped, relative to the
   * project root), or on the generated file. `*` matches any run of characters, `/` included
   * (as fnmatch); `?` one character. A pattern without `/` also matches the file's base name.
   */
  pattern: string;
  /** Only this (original) line; `null`/absent: any line. */
  line?: number | null;
  /**
   * Match any frame of the stack, not only the frame the sample is charged to (the innermost
   * code frame, or with `userCode` the innermost frame of your code).
   */
  allFrames?: boolean;
}

export interface FilterOptions extends AttributionOptions {
  filters?: readonly TraceFilter[];
  /**
   * Drop samples charged to Node's internals (`node:…`) or to no code at all (builtins and
   * pseudo frames only). With `userCode`, samples that passed through Node on behalf of your
   * code are charged to your code first, and stay.
   */
  hideInternals?: boolean;
}

/**
 * fnmatch-style glob → matcher of a whole string. Not a RegExp: `.*` per star backtracks
 * polynomially in the stars (three stars against a crafted 100 KB path ran for minutes). This
 * keeps only the last star's position, so a match costs at most text × pattern steps.
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  const glob = pattern;
  return (text) => {
    let t = 0;
    let g = 0;
    let star = -1;
    let resume = 0;
    while (t < text.length) {
      const c = g < glob.length ? glob[g] : undefined;
      if (c === '*') {
        star = g++;
        resume = t;
      } else if (c !== undefined && (c === '?' || c === text[t])) {
        g++;
        t++;
      } else if (star >= 0) {
        g = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (glob[g] === '*') g++;
    return g === glob.length;
  };
}

interface CompiledFilter {
  filter: TraceFilter;
  test: (location: Location) => boolean;
}

function compile(filter: TraceFilter): CompiledFilter {
  const matches = globMatcher(filter.pattern);
  const baseNameToo = !filter.pattern.includes('/');
  const fileMatches = (file: string): boolean => matches(file) || (baseNameToo && matches(file.slice(file.lastIndexOf('/') + 1)));
  const line = filter.line ?? null;
  return {
    filter,
    test: (location) => {
      const files: string[] = [];
      if (location.file !== null) files.push(location.file);
      if (location.generated !== undefined) files.push(location.generated.file);
      if (!files.some(fileMatches)) return false;
      if (line === null) return true;
      return location.line === line || location.candidates?.includes(line) === true;
    },
  };
}

/** A one-line description of a filter, for report notes: `include src/cache/*:42 (any frame)`. */
export function describeFilter(filter: TraceFilter): string {
  const line = filter.line === undefined || filter.line === null ? '' : `:${filter.line}`;
  return `${filter.inclusive ? 'include' : 'exclude'} ${filter.pattern}${line}${filter.allFrames === true ? ' (any frame)' : ''}`;
}

/** The trace with only the samples the filters keep. Without filters, the trace itself. */
export function filterTrace(trace: TraceFile, options: FilterOptions): TraceFile {
  const filters = (options.filters ?? []).map(compile);
  if (filters.length === 0 && options.hideInternals !== true) return trace;
  const index = new StackIndex(trace);
  const inclusive = filters.filter((f) => f.filter.inclusive);
  const exclusive = filters.filter((f) => !f.filter.inclusive);
  const keepStack: Array<boolean | undefined> = [];

  const decide = (stack: number): boolean => {
    const charged = index.location(index.attribute(stack, options).frame);
    if (options.hideInternals === true && (charged.origin === 'node' || charged.origin === 'builtin' || charged.origin === 'pseudo')) {
      return false;
    }
    let all: Location[] | null = null;
    const matches = (f: CompiledFilter): boolean => {
      if (f.filter.allFrames !== true) return f.test(charged);
      all ??= index.framesOf(stack).map((frame) => index.location(frame));
      return all.some(f.test);
    };
    if (inclusive.length > 0 && !inclusive.some(matches)) return false;
    return !exclusive.some(matches);
  };

  const samples: TraceFile['samples'] = { stack: [], size: [], count: [], ordinal: [] };
  const { stack, size, count, ordinal, thread, kind } = trace.samples;
  // An object trace's kinds stay with their samples too.
  if (kind !== undefined) samples.kind = [];
  // A merged trace's thread labels stay with their samples.
  if (thread !== undefined) samples.thread = [];
  for (let i = 0; i < stack.length; i++) {
    const s = stack[i]!;
    let keep = keepStack[s];
    if (keep === undefined) {
      keep = decide(s);
      keepStack[s] = keep;
    }
    if (!keep) continue;
    samples.stack.push(s);
    samples.size.push(size[i]!);
    samples.count.push(count[i]!);
    samples.ordinal.push(ordinal[i]!);
    if (thread !== undefined) samples.thread?.push(thread[i]!);
    if (kind !== undefined) samples.kind?.push(kind[i]!);
  }
  return { ...trace, samples };
}
