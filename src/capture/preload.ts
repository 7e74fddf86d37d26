/**
 * Loaded with `node --require` before the traced program: starts sampling and registers the
 * paths that write the trace. It runs inside someone else's program, so it does the least it
 * can up front and loads the rest only when a trace is written.
 */
import { isMainThread } from 'node:worker_threads';
import { CONFIG_ENV, parseCaptureConfig } from './config';
import { retainModuleScripts } from './cjs-retain';
import { SamplingEngine } from './engine';

const TERMINATING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function install(): void {
  const config = parseCaptureConfig(process.env[CONFIG_ENV]);
  delete process.env[CONFIG_ENV];
  if (config === null || !isMainThread) return;

  const startTime = new Date().toISOString();
  const retainNote = retainModuleScripts();
  // Installed after the retainer, so that its rewrite is what the retainer extends and compiles.
  const exactLines = config.exactLines === true ? (require('./exact-lines') as typeof import('./exact-lines')).installExactLines() : null;
  const engine = new SamplingEngine();
  engine.start({ interval: config.interval, mode: config.mode });
  let written = false;
  // What this Node lacks or does differently, for every trace it writes.
  const runtimeNotes = (): string[] => {
    const notes = [...engine.notes, ...(exactLines?.notes ?? [])];
    if (retainNote !== null) notes.push(retainNote);
    // Transformed (not just stripped) TypeScript is compiled from code that is not on disk.
    if ((process.features as { typescript?: unknown }).typescript === 'transform') {
      notes.push('Node transforms TypeScript here (--experimental-transform-types): lines in .ts files using enums or namespaces may be off');
    }
    return notes;
  };

  const flush = (reason: 'exit' | 'signal', note?: string): void => {
    if (written) return;
    written = true;
    try {
      // Lazy: the converter and writer are not needed until the end.
      const { writeFinalTrace } = require('./flush') as typeof import('./flush');
      const notes = runtimeNotes();
      if (note !== undefined) notes.push(note);
      writeFinalTrace({ engine, config, startTime, reason, notes, exactLines: exactLines?.urls() ?? null });
    } catch (error) {
      process.stderr.write(`alloctrace: could not write the trace: ${(error as Error).message}\n`);
    }
  };

  process.on('exit', () => flush('exit'));

  if (config.snapshots !== undefined) {
    // Lazy: programs traced without snapshots never load this (and get no signal handler).
    const { installSnapshots } = require('./snapshots') as typeof import('./snapshots');
    installSnapshots({ engine, config, snapshots: config.snapshots, startTime, notes: runtimeNotes, exactLines: () => exactLines?.urls() ?? null });
  }

  // A signal that would end the program: write the trace, then end it the same way. When the
  // program has its own listener, it decides; its eventual exit writes the trace.
  for (const signal of TERMINATING_SIGNALS) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return;
      flush('signal', `program ended by ${signal}`);
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

install();
