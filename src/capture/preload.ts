/**
 * Loaded with `node --require` before the traced program (and, as node passes `--require` on,
 * in each of its worker threads): starts sampling and registers the paths that write the trace.
 * It runs inside someone else's program, so it does the least it can up front and loads the
 * rest only when a trace is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import { CONFIG_ENV, PID_TOKEN, parseCaptureConfig, type CaptureConfig } from './config';
import { retainModuleScripts } from './cjs-retain';
import { SamplingEngine } from './engine';
import { resolveProcessOutput, workerOutput } from './naming';
import { exposeWorkerHook, markWorker, shareWithWorkers, superviseWorkers, workerConfigText, workerName, type WorkerSupervisor } from './workers';

const TERMINATING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** This isolate's settings, and the output as the parent gave it (the template for children). */
function readConfig(): { config: CaptureConfig; template: string } | null {
  if (!isMainThread) {
    const config = parseCaptureConfig(workerConfigText());
    return config === null ? null : { config, template: '' };
  }
  const config = parseCaptureConfig(process.env[CONFIG_ENV]);
  delete process.env[CONFIG_ENV];
  if (config === null) return null;
  // A child process (output named by pid) traces its own command line.
  const own = config.output.includes(PID_TOKEN);
  return {
    config: { ...config, output: resolveProcessOutput(config.output, process.pid), argv: own ? process.argv.slice(1) : config.argv },
    template: config.output,
  };
}

/**
 * Child processes write beside this process: `<folder>/{pid}.trace`. Snapshots stay the traced
 * program's own (one numbered series per folder).
 */
function childConfig(config: CaptureConfig, template: string): CaptureConfig {
  const { snapshots: _own, ...rest } = config;
  return { ...rest, output: template.includes(PID_TOKEN) ? template : path.join(path.dirname(config.output), `${PID_TOKEN}.trace`) };
}

function install(): void {
  const read = readConfig();
  if (read === null) return;
  const { config, template } = read;

  const startTime = new Date().toISOString();
  // First, so that children are traced even where this process cannot be.
  if (isMainThread && config.children === true) {
    const { traceChildren } = require('./children') as typeof import('./children');
    traceChildren(childConfig(config, template), __filename);
  }
  const engine = new SamplingEngine();
  try {
    engine.start({ interval: config.interval, mode: config.mode });
  } catch (error) {
    // Some processes have no inspector (node --test's runner process, builds without it): the
    // program must run on untraced, not crash.
    const why = error instanceof Error && error.message !== undefined ? error.message : String(error);
    process.stderr.write(`alloctrace: not tracing pid ${process.pid}${isMainThread ? '' : ` worker ${threadId}`}: ${why}\n`);
    return;
  }
  const retainNote = retainModuleScripts();
  // Installed after the retainer, so that its rewrite is what the retainer extends and compiles.
  const exactLines = config.exactLines === true ? (require('./exact-lines') as typeof import('./exact-lines')).installExactLines() : null;
  let supervisor: WorkerSupervisor | null = null;
  if (isMainThread) {
    shareWithWorkers(config);
    supervisor = superviseWorkers(engine);
  } else {
    markWorker('tracing');
  }
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
    if (!isMainThread) markWorker('flushing');
    // Workers this thread would take down with it write theirs first.
    supervisor?.rescueAll();
    try {
      // Lazy: the converter and writer are not needed until the end.
      const { writeFinalTrace } = require('./flush') as typeof import('./flush');
      const notes = [...runtimeNotes(), ...(supervisor?.notes ?? [])];
      if (note !== undefined) notes.push(note);
      writeFinalTrace({
        engine,
        config,
        startTime,
        reason,
        notes,
        exactLines: exactLines?.urls() ?? null,
        output: isMainThread ? config.output : workerOutput(config.output, threadId),
        thread: isMainThread ? { id: 0, name: 'main' } : { id: threadId, name: workerName() || `worker ${threadId}` },
        argv: config.argv,
      });
    } catch (error) {
      // A process that outlives the run (a detached grandchild) finds the run's folder gone.
      const gone = (error as NodeJS.ErrnoException).code === 'ENOENT' && config.output.includes(path.sep) && !fs.existsSync(path.dirname(config.output));
      const message = (error as Error).message;
      // V8 has one sampling heap profiler per thread: a program (or an APM agent in it) that
      // stops it through its own inspector session stops ours too.
      const stolen = /sampling heap profiler was not started/i.test(message);
      if (stolen) process.stderr.write("alloctrace: could not write the trace: the program stopped V8's sampling heap profiler itself (there is one per thread, shared with alloctrace)\n");
      else if (!gone) process.stderr.write(`alloctrace: could not write the trace: ${message}\n`);
    } finally {
      if (!isMainThread) markWorker('written');
    }
  };

  process.on('exit', () => flush('exit'));
  if (!isMainThread) {
    exposeWorkerHook(() => flush('exit', 'worker stopped by terminate() or by its process ending'));
    return;
  }

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
