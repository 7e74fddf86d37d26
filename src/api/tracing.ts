/**
 * Tracing inside the current process: tracemalloc's `start`/`stop`/`take_snapshot`, on V8's
 * sampling heap profiler through the one engine module. The sampler is per isolate, so this
 * state is too: one tracing session per thread.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SamplingEngine } from '../capture/engine';
import { findProjectRoot } from '../cli/project-root';
import { AlloctraceError } from '../errors';
import { SourceMapper } from '../symbolize/mapper';
import { symbolizeTrace } from '../symbolize/symbolize';
import type { TraceFile, TraceMeta, TraceMode } from '../trace/format';
import { traceFromV8Profile } from '../trace/v8-profile';
import { PRODUCER } from '../version';
import { Snapshot } from './snapshot';

/** Options of {@link start}. */
export interface StartOptions {
  /** Mean bytes between samples (default 32 KiB). Smaller: finer, slower. */
  interval?: number;
  /** `live` (default): memory still held when a snapshot is taken; `allocated`: everything allocated since start. */
  mode?: TraceMode;
  /** Project root that paths are shown relative to (default: nearest package.json above the working directory). */
  root?: string;
}

interface Session {
  engine: SamplingEngine;
  interval: number;
  mode: TraceMode;
  root: string;
  startTime: string;
  sequence: number;
  peak: number;
  /** Source maps of the running program do not change: load each once per session. */
  mapper: SourceMapper;
}

let session: Session | null = null;

// Samples under alloctrace's own frames are its own allocations (e.g. an earlier snapshot).
const OWN_DIR = path.resolve(__dirname, '..') + path.sep;
const OWN_URL = pathToFileURL(OWN_DIR).href;
const isOwnUrl = (url: string): boolean => url.startsWith(OWN_DIR) || url.startsWith(OWN_URL);

function validateStart(options: StartOptions): { interval: number; mode: TraceMode } {
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
  const engine = new SamplingEngine();
  engine.start({ interval, mode });
  const cwd = process.cwd();
  session = {
    engine,
    interval,
    mode,
    root: options.root ?? findProjectRoot(cwd, cwd),
    startTime: new Date().toISOString(),
    sequence: 0,
    peak: 0,
    mapper: new SourceMapper(),
  };
}

/** Stops sampling and forgets every sample. Snapshots taken before stay valid. */
export function stop(): void {
  session?.engine.stop();
  session = null;
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
 * Takes a snapshot of the sampled allocations, with positions resolved through source maps.
 * In `live` mode it holds what survived a full garbage collection (V8 runs one first).
 * @throws AlloctraceError when not tracing.
 */
export function takeSnapshot(): Snapshot {
  const s = active('takeSnapshot()');
  s.sequence += 1;
  const snapshot = new Snapshot(symbolizeTrace(captureTrace(s, s.sequence), { mapper: s.mapper }).trace);
  s.peak = Math.max(s.peak, snapshot.total.size);
  return snapshot;
}

/** The profile now, as an unsymbolized trace; V8 runs a full GC first. */
function captureTrace(s: Session, sequence: number): TraceFile {
  const profile = s.engine.profile();
  const meta: TraceMeta = {
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    platform: `${os.platform()}-${os.arch()}`,
    pid: process.pid,
    argv: process.argv.slice(1),
    execArgv: process.execArgv,
    cwd: process.cwd(),
    root: s.root,
    interval: s.interval,
    // `allocated` falls back to `live` where this V8 lacks the flags (the engine notes why).
    mode: s.engine.mode ?? s.mode,
    startTime: s.startTime,
    time: new Date().toISOString(),
    reason: 'api',
    sequence,
    thread: { id: 0, name: 'main' },
    flags: [],
    notes: [...s.engine.notes],
  };
  return traceFromV8Profile(profile, { meta, producer: PRODUCER, own: { isOwnUrl, passThrough: new Set() } });
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
  s.engine.stop();
  s.engine.start({ interval: s.interval, mode: s.mode });
  s.startTime = new Date().toISOString();
  s.peak = 0;
}
