/**
 * Snapshots of a running program: numbered traces written every N ms and/or on a signal,
 * without stopping it. Loaded by the preload only when snapshots were asked for. Each file is
 * written atomically, so a crash or an out-of-memory kill leaves the previous ones whole.
 * Traces are written unsymbolized (no source-map work inside the program): `show`/`compare`
 * and `run` resolve them afterwards.
 */
import * as path from 'node:path';
import type { CaptureConfig, SnapshotConfig } from './config';
import type { SamplingEngine } from './engine';
import { writeFinalTrace } from './flush';

export interface SnapshotSetup {
  engine: SamplingEngine;
  config: CaptureConfig;
  snapshots: SnapshotConfig;
  startTime: string;
  notes: () => string[];
  /** Scripts rewritten by `--exact-lines` so far (`null`: mode off). */
  exactLines?: () => ReadonlySet<string> | null;
}

/** `snapshot-0001.trace`: zero-padded so a shell glob lists them in order. */
export function snapshotFileName(sequence: number): string {
  return `snapshot-${String(sequence).padStart(4, '0')}.trace`;
}

export function installSnapshots(setup: SnapshotSetup): void {
  const { snapshots } = setup;
  let sequence = 0;
  let failed = false;
  const take = (reason: 'interval' | 'signal'): void => {
    sequence += 1;
    const output = path.join(snapshots.dir, snapshotFileName(sequence));
    try {
      writeFinalTrace({
        engine: setup.engine,
        config: setup.config,
        output,
        thread: { id: 0, name: 'main' },
        argv: setup.config.argv,
        startTime: setup.startTime,
        reason,
        notes: setup.notes(),
        sequence,
        exactLines: setup.exactLines?.() ?? null,
      });
    } catch (error) {
      // Say it once: a full disk would otherwise print at every period.
      if (!failed) process.stderr.write(`alloctrace: could not write snapshot ${output}: ${(error as Error).message}\n`);
      failed = true;
    }
  };
  if (snapshots.everyMs !== null) {
    // unref: the timer never keeps the program alive.
    setInterval(() => take('interval'), snapshots.everyMs).unref();
  }
  if (snapshots.signal !== null) {
    process.on(snapshots.signal as NodeJS.Signals, () => take('signal'));
  }
}
