/**
 * Tracing inside the current process: tracemalloc's `start`/`stop`/`take_snapshot`, on V8's
 * sampling heap profiler through the one engine module. The sampler is per isolate, so this
 * state is too: one tracing session per thread.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PASS_THROUGH_FRAMES } from '../capture/cjs-retain';
import { SamplingEngine } from '../capture/engine';
import { findProjectRoot } from '../trace/project-root';
import { AlloctraceError } from '../errors';
import { resolversFor, resolveTrace, type Resolvers } from '../pipeline/resolve';
import type { TraceFile, TraceMode } from '../trace/format';
import { thisProcessMeta } from '../trace/meta';
import { EstimateMemo } from '../trace/estimate-memo';
import { traceFromV8Profile } from '../trace/v8-profile';
import { lastOrdinal, runSampler, samplesAfter } from '../capture/shared-sampler';
import type { V8SamplingProfile } from '../trace/v8-profile';
import { PRODUCER } from '../version';
import { Snapshot } from './snapshot';
import { validateOptionalString, validateOptions } from './validate';

/** Options of {@link start}. */
export interface StartOptions {
  /** Mean bytes between samples (default 32 KiB). Smaller: finer, slower. */
  interval?: number;
  /** `live` (default): memory still held when a snapshot is taken; `allocated`: everything allocated since start. */
  mode?: TraceMode;
  /** Project root that paths are shown relative to (default: nearest package.json above the working directory). */
  root?: string;
}

/** What a session samples with: its own engine, or the sampler of the `alloctrace run` tracing this thread. */
interface Sampler {
  /** What is really measured (`live` where `allocated` cannot be had). */
  readonly mode: TraceMode;
  readonly notes: readonly string[];
  profile(): V8SamplingProfile;
  /** Forgets the samples so far. */
  clear(): void;
  stop(): void;
}

function ownSampler(interval: number, mode: TraceMode): Sampler {
  const engine = new SamplingEngine();
  engine.start({ interval, mode });
  return {
    get mode() {
      return engine.mode ?? mode;
    },
    notes: engine.notes,
    profile: () => engine.profile(),
    clear: () => {
      engine.stop();
      engine.start({ interval, mode });
    },
    stop: () => engine.stop(),
  };
}

/** Reads the run's sampler: never stops nor restarts it (that would cost the run its trace). */
function runsSampler(run: NonNullable<ReturnType<typeof runSampler>>): Sampler {
  let after = 0;
  return {
    mode: run.mode,
    notes: [`sampling shared with the alloctrace run tracing this process (every ${run.interval} B, ${run.mode} memory)`],
    profile: () => samplesAfter(run.profile(), after),
    clear: () => {
      after = lastOrdinal(run.profile());
    },
    stop: () => undefined,
  };
}

interface Session {
  engine: Sampler;
  interval: number;
  mode: TraceMode;
  root: string;
  startTime: string;
  sequence: number;
  peak: number;
  /** Source maps and code of the running program do not change: read each once per session. */
  resolvers: Resolvers;
  /** Sample estimates given so far: a retained sample reads the same in every snapshot. */
  memo: EstimateMemo;
}

let session: Session | null = null;

// Samples under alloctrace's own frames are its own allocations (e.g. an earlier snapshot).
const OWN_DIR = path.resolve(__dirname, '..') + path.sep;
const OWN_URL = pathToFileURL(OWN_DIR).href;
const isOwnUrl = (url: string): boolean => url.startsWith(OWN_DIR) || url.startsWith(OWN_URL);
/**
 * alloctrace's own functions on the way from a test to the function it measures (src/testing/):
 * spliced out of stacks, not dropped. Every one on the way must be here, not only the one that
 * calls: V8 names a stack by its physical frames, so user code inlined into any of them is
 * sampled as that frame's. A frame left out makes every call under it invisible; a unit test
 * (test/unit/user-code-frames.test.ts) reads our frames above user code from real stacks in
 * every phase of the helpers and fails on one missing here.
 */
export const CALLS_USER_CODE: ReadonlySet<string> = new Set([...PASS_THROUGH_FRAMES, 'limitLeaks', 'limitMemory', 'traced', 'measureLeaks', 'measureMemory', 'confirmStepwise', 'callMeasured']);

function validateStart(given: StartOptions | undefined): { interval: number; mode: TraceMode } {
  const options = validateOptions(given, 'options');
  validateOptionalString(options.root, 'options.root');
  const interval = options.interval ?? 32 * 1024;
  if (!Number.isInteger(interval) || interval < 1 || interval > 2 ** 31 - 1) {
    throw new AlloctraceError('ERR_USAGE', `interval must be a whole number of bytes between 1 and 2147483647 (2 GiB - 1) (got ${String(interval)})`);
  }
  const mode = options.mode ?? 'live';
  if (mode !== 'live' && mode !== 'allocated') throw new AlloctraceError('ERR_USAGE', `mode must be live or allocated (got ${String(mode)})`);
  return { interval, mode };
}

/**
 * Starts sampling allocations. Calling it while tracing is a no-op (as tracemalloc's).
 * @throws AlloctraceError on a bad option.
 */
export function start(options: StartOptions = {}): void {
  const { interval, mode } = validateStart(options);
  if (session !== null) return;
  const run = runSampler();
  const engine = run === null ? ownSampler(interval, mode) : runsSampler(run);
  const cwd = process.cwd();
  session = {
    engine,
    interval: run === null ? interval : run.interval,
    mode: engine.mode,
    root: options.root ?? findProjectRoot(cwd, cwd),
    startTime: new Date().toISOString(),
    sequence: 0,
    peak: 0,
    resolvers: resolversFor([]),
    memo: new EstimateMemo(),
  };
}

/** Stops sampling and forgets every sample. Snapshots taken before stay valid. */
export function stop(): void {
  session?.engine.stop();
  session = null;
}

/** The sampling interval of the tracing session, or `null` when not tracing. */
export function tracingInterval(): number | null {
  return session?.interval ?? null;
}

/** `true` between {@link start} and {@link stop}. */
export function isTracing(): boolean {
  return session !== null;
}

function active(what: string): Session {
  if (session === null) throw new AlloctraceError('ERR_NOT_TRACING', `${what} needs tracing: call start() first`);
  return session;
}

/**
 * Takes a snapshot of the sampled allocations, resolved as the CLI resolves a trace: positions
 * through source maps, then the lines each frame was executing, where its code proves them.
 * In `live` mode it holds what survived a full garbage collection (V8 runs one first).
 * @throws AlloctraceError when not tracing.
 */
export function takeSnapshot(): Snapshot {
  const s = active('takeSnapshot()');
  s.sequence += 1;
  const snapshot = new Snapshot(resolveTrace(captureTrace(s, s.sequence), { sourceMaps: true, resolvers: s.resolvers }).trace);
  s.peak = Math.max(s.peak, snapshot.total.size);
  return snapshot;
}

/** The profile now, as an unsymbolized trace; V8 runs a full GC first. */
function captureTrace(s: Session, sequence: number): TraceFile {
  const profile = s.engine.profile();
  const meta = thisProcessMeta({
    argv: process.argv.slice(1),
    execArgv: process.execArgv,
    root: s.root,
    interval: s.interval,
    // `allocated` falls back to `live` where this V8 lacks the flags (the engine notes why).
    mode: s.engine.mode,
    startTime: s.startTime,
    time: new Date().toISOString(),
    reason: 'api',
    sequence,
    notes: [...s.engine.notes],
  });
  return traceFromV8Profile(profile, { meta, producer: PRODUCER, own: { isOwnUrl, passThrough: CALLS_USER_CODE }, memo: s.memo });
}

/**
 * Estimated bytes sampled now (`current`; in `live` mode, what survives a full GC) and the
 * largest `current` seen so far (`peak`). The sampler cannot see between looks: `peak` is
 * the maximum over the calls to this function and {@link takeSnapshot}, not a true high-water mark.
 * @throws AlloctraceError when not tracing.
 */
export function getTracedMemory(): { current: number; peak: number } {
  const s = active('getTracedMemory()');
  let current = 0;
  for (const size of captureTrace(s, s.sequence).samples.size) current += size;
  s.peak = Math.max(s.peak, current);
  return { current, peak: s.peak };
}

/** Forgets every sample taken so far (and the peak) and keeps tracing. @throws AlloctraceError when not tracing. */
export function clearTraces(): void {
  const s = active('clearTraces()');
  s.engine.clear();
  s.memo = new EstimateMemo();
  s.startTime = new Date().toISOString();
  s.peak = 0;
}
