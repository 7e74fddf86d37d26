/** Turns the engine's profile into a trace file. Loaded by the preload only when writing. */
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PASS_THROUGH_FRAMES } from './cjs-retain';
import { attachMemoryMaps } from './memory-maps';
import type { TraceMeta } from '../trace/format';
import { traceFromV8Profile } from '../trace/v8-profile';
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
  const { engine, config } = request;
  const profile = engine.profile();
  const meta: TraceMeta = {
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    platform: `${os.platform()}-${os.arch()}`,
    pid: process.pid,
    argv: request.argv,
    execArgv: process.execArgv.filter((arg) => !arg.includes(require.resolve('./preload'))),
    cwd: process.cwd(),
    root: config.root,
    interval: config.interval,
    mode: engine.mode ?? config.mode,
    startTime: request.startTime,
    time: new Date().toISOString(),
    reason: request.reason,
    sequence: request.sequence ?? 0,
    thread: request.thread,
    flags: samplerFlags(request),
    notes: request.notes,
  };
  const trace = traceFromV8Profile(profile, {
    meta,
    producer: config.producer,
    own: { isOwnUrl, passThrough: PASS_THROUGH_FRAMES },
    ownFilesLoadFirst: true,
  });
  for (const script of trace.scripts) if (request.exactLines?.has(script.url) === true) script.exactLines = 'wrapped';
  attachMemoryMaps(trace.scripts, (wantSource) => engine.loadedScripts(wantSource));
  writeTrace(request.output, trace, { overwrite: true });
}
