/**
 * Hand-built traces for unit tests: one builder instead of a literal meta in every test file.
 * Only what a test cares about is given; the rest takes the format's defaults.
 */
import type { FrameRecord, LineRecord, ScriptRecord, ThreadRecord, TraceFile, TraceMeta } from '../../src/trace/format';
import { newMeta } from '../../src/trace/meta';

export interface TraceParts {
  meta?: Partial<TraceMeta>;
  scripts?: ScriptRecord[];
  frames: FrameRecord[];
  stacks: { frame: number[]; parent: number[]; call?: Array<LineRecord | null> };
  /** `count` defaults to one allocation per sample, `ordinal` to the sample's position. */
  samples: { stack: number[]; size: number[]; count?: number[]; ordinal?: number[]; thread?: number[] };
  threads?: ThreadRecord[];
}

/** A live trace at 32 KiB, root `/p`, unless `parts.meta` says otherwise. */
export function buildTrace(parts: TraceParts): TraceFile {
  const { stack, size } = parts.samples;
  const trace: TraceFile = {
    format: 'alloctrace-trace',
    version: 1,
    producer: 'test',
    meta: newMeta({ pid: 1, cwd: '/p', root: '/p', interval: 32768, mode: 'live', ...parts.meta }),
    scripts: parts.scripts ?? [],
    frames: parts.frames,
    stacks: parts.stacks,
    samples: {
      stack,
      size,
      count: parts.samples.count ?? stack.map(() => 1),
      ordinal: parts.samples.ordinal ?? stack.map((_, i) => i + 1),
      ...(parts.samples.thread === undefined ? {} : { thread: parts.samples.thread }),
    },
  };
  if (parts.threads !== undefined) trace.threads = parts.threads;
  return trace;
}

/** A chain of frames, outermost first, as one stack per depth: stack `i` is frame `i` under stack `i - 1`. */
export function chain(frames: readonly number[]): { frame: number[]; parent: number[] } {
  return { frame: [...frames], parent: frames.map((_, i) => i - 1) };
}
