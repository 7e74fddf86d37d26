/**
 * `run --types` / `--census`, after the program ended: each trace the program wrote with a heap
 * snapshot beside it becomes an object trace (heap-snapshot/), read and partitioned here in the
 * CLI process, so the program's own memory and time pay only for writing the snapshot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PASS_THROUGH_FRAMES } from '../capture/cjs-retain';
import { snapshotFileOf } from '../capture/objects';
import type { TraceFile } from '../trace/format';

// alloctrace's own code (dist/src), whose objects in the program are not the program's.
const OWN_DIR = path.resolve(__dirname, '..') + path.sep;
const OWN_URL = pathToFileURL(OWN_DIR).href;

function isOwnUrl(url: string): boolean {
  return url.startsWith(OWN_DIR) || url.startsWith(OWN_URL);
}

/**
 * The object trace of `trace` (read from `file`) when a snapshot was written beside it, else
 * `null`. The snapshot file is removed once read.
 */
export function objectTraceOf(trace: TraceFile, file: string): TraceFile | null {
  const snapshot = snapshotFileOf(file);
  if (!fs.existsSync(snapshot)) return null;
  try {
    // Loaded only when there is a snapshot: every other run starts without it.
    const { readHeapSnapshot } = require('../heap-snapshot/parse') as typeof import('../heap-snapshot/parse');
    const { traceFromHeapSnapshot } = require('../heap-snapshot/to-trace') as typeof import('../heap-snapshot/to-trace');
    const bytes = fs.statSync(snapshot).size;
    const parsed = readHeapSnapshot(snapshot, path.basename(snapshot));
    const note = `from a heap snapshot of ${(bytes / 2 ** 20).toFixed(1)} MiB (${parsed.nodeCount} nodes)`;
    const meta = { ...trace.meta, notes: [...trace.meta.notes, note] };
    return traceFromHeapSnapshot(parsed, { meta, producer: trace.producer, own: { isOwnUrl, passThrough: PASS_THROUGH_FRAMES }, scripts: trace.scripts });
  } finally {
    fs.rmSync(snapshot, { force: true });
  }
}
