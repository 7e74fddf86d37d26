/**
 * `run --types` / `--census`: a V8 heap snapshot beside each trace (`<trace>.heapsnapshot`), for
 * the CLI to partition by kind and allocating stack after the program ended (heap-snapshot/).
 * `v8.writeHeapSnapshot` streams V8's serializer straight into the file: the snapshot never
 * exists as a string in the program. Loaded only in those modes.
 */
import * as fs from 'node:fs';
import * as v8 from 'node:v8';

/** The snapshot file of the trace at `output`. */
export function snapshotFileOf(output: string): string {
  return `${output}.heapsnapshot`;
}

/** Writes the snapshot atomically (a reader of a snapshot folder never sees half of one). */
export function writeObjectSnapshot(output: string): void {
  const file = snapshotFileOf(output);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    v8.writeHeapSnapshot(tmp);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
