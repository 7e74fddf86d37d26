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
import { inOwnWork } from './own-work';
import { snapshotFileName } from './snapshot-name';

export { snapshotFileName } from './snapshot-name';

export interface SnapshotSetup {
  engine: SamplingEngine;
  config: CaptureConfig;
  snapshots: SnapshotConfig;
  startTime: string;
  notes: () => string[];
  /** Scripts rewritten by `--exact-lines` so far (`null`: mode off). */
  exactLines?: () => ReadonlySet<string> | null;
}

export interface Snapshots {
  take(reason: 'interval' | 'signal'): void;
  /**
   * From the observer thread, every period: a snapshot when the timer here is late by half a
   * period (the main thread runs synchronous code, where timers do not fire).
   */
  ifOverdue(): void;
  /** The snapshot signal's listener on the main thread (`null`: none). */
  listener: (() => void) | null;
}

export function installSnapshots(setup: SnapshotSetup): Snapshots {
  const { snapshots } = setup;
  let sequence = 0;
  let failed = false;
  let last = Date.now();
  const take = (reason: 'interval' | 'signal'): void => {
    // One at a time: a signal or the observer can reach here while one is being written.
    if (inOwnWork()) return;
    sequence += 1;
    last = Date.now();
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
      if (setup.config.objects !== undefined) (require('./objects') as typeof import('./objects')).writeObjectSnapshot(output);
    } catch (error) {
      // Say it once: a full disk would otherwise print at every period.
      if (!failed) process.stderr.write(`alloctrace: could not write snapshot ${output}: ${(error as Error).message}\n`);
      failed = true;
    } finally {
      // The period counts from the end of a snapshot: one that takes longer than the period
      // (a big profile) must leave the program a period of its own before the next.
      last = Date.now();
    }
  };
  if (snapshots.everyMs !== null) {
    // unref: the timer never keeps the program alive.
    // Not right after one the observer took while the timer was late.
    const every = snapshots.everyMs;
    setInterval(() => {
      if (Date.now() - last >= every / 2) take('interval');
    }, every).unref();
  }
  let listener: (() => void) | null = null;
  if (snapshots.signal !== null) {
    listener = () => take('signal');
    process.on(snapshots.signal as NodeJS.Signals, listener);
  }
  const every = snapshots.everyMs;
  const ifOverdue = (): void => {
    if (every !== null && Date.now() - last >= 1.5 * every) take('interval');
  };
  return { take, listener, ifOverdue };
}
