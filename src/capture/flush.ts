/** Turns the engine's profile into a trace file. Loaded by the preload only when writing. */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PASS_THROUGH_FRAMES } from './cjs-retain';
import { attachMemoryMaps } from './memory-maps';
import { asOwnWork } from './own-work';
import type { HeapMoment, TraceMeta } from '../trace/format';
import { thisProcessMeta } from '../trace/meta';
import { traceFromV8Profile, type V8SamplingProfile } from '../trace/v8-profile';
import { writeTrace } from '../trace/write';
import type { CaptureConfig } from './config';
import type { SamplingEngine } from './engine';

export interface FlushRequest {
  engine: SamplingEngine;
  config: CaptureConfig;
  startTime: string;
  reason: TraceMeta['reason'];
  notes: string[];
  /** Where this isolate's trace goes (`config.output` resolved for this process and thread). */
  output: string;
  /** This isolate: 0/`main`, or a worker's threadId and name. */
  thread: { id: number; name: string };
  /** The traced command line (a child process's own). */
  argv: string[];
  /** Scripts that ran rewritten by `--exact-lines`, or `null` when that mode is off. */
  exactLines?: ReadonlySet<string> | null;
  /** Position in a series of snapshots (0 when not part of one). */
  sequence?: number;
  /** A profile read earlier (as an uncaught exception was thrown, or at a peak: its heap size was measured right after), instead of reading one now. */
  profile?: V8SamplingProfile;
  /** Heap sizes of a `peak` or `heap-limit` trace. */
  heap?: HeapMoment;
  /** When `profile` was read, where that was earlier than now (a peak kept until the end). */
  time?: string;
}

// Everything under dist/src is alloctrace's own code.
const OWN_DIR = path.resolve(__dirname, '..') + path.sep;
const OWN_URL = pathToFileURL(OWN_DIR).href;

function isOwnUrl(url: string): boolean {
  return url.startsWith(OWN_DIR) || url.startsWith(OWN_URL);
}

/** Modes that change what the numbers mean (docs/trace-format.md, `meta.flags`). */
function samplerFlags(request: FlushRequest): string[] {
  const flags: string[] = [];
  if (process.execArgv.includes('--no-turbo-inlining')) flags.push('no-inlining');
  if (request.exactLines != null) flags.push('exact-lines');
  return flags;
}

export function writeFinalTrace(request: FlushRequest): void {
  asOwnWork(() => writeTraceNow(request));
}

function writeTraceNow(request: FlushRequest): void {
  const { engine, config } = request;
  const profile = request.profile ?? engine.profile();
  const meta = thisProcessMeta({
    argv: request.argv,
    execArgv: process.execArgv.filter((arg) => !arg.includes(require.resolve('./preload'))),
    root: config.root,
    interval: config.interval,
    mode: engine.mode ?? config.mode,
    startTime: request.startTime,
    time: request.time ?? new Date().toISOString(),
    reason: request.reason,
    sequence: request.sequence ?? 0,
    thread: request.thread,
    flags: samplerFlags(request),
    notes: request.notes,
  });
  if (request.heap !== undefined) meta.heap = request.heap;
  const trace = traceFromV8Profile(profile, {
    meta,
    producer: config.producer,
    own: { isOwnUrl, passThrough: PASS_THROUGH_FRAMES },
    ownFilesLoadFirst: true,
    memo: engine.estimates,
  });
  for (const script of trace.scripts) if (request.exactLines?.has(script.url) === true) script.exactLines = 'wrapped';
  attachMemoryMaps(trace.scripts, (wantSource) => engine.loadedScripts(wantSource));
  // Snapshots are the user's files; the other traces go to the run's folder, read by the CLI at once.
  writeTrace(request.output, trace, { overwrite: true, durable: (request.sequence ?? 0) > 0 });
}
