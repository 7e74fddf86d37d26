/**
 * Loaded with `node --require` before the traced program (and, as node passes `--require` on,
 * in each of its worker threads): starts sampling and registers the paths that write the trace.
 * It runs inside someone else's program, so it does the least it can up front and loads the
 * rest only when a trace is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread, threadId, workerData } from 'node:worker_threads';
import { CONFIG_ENV, PID_TOKEN, parseCaptureConfig, type CaptureConfig } from './config';
import { disableAllocationFolding } from './allocation-folding';
import { retainModuleScripts } from './cjs-retain';
import { retainEntryScope } from './scope-retain';
import { yieldHeapProfilerToProgram } from './heap-profile-api';
import { SamplingEngine } from './engine';
import type { V8SamplingProfile } from '../trace/v8-profile';
import { watchEnding } from './ending';
import { exposeSampler } from './shared-sampler';
import { heapProfInterval, heapProfNote } from './heap-prof';
import { recordPristine, usePristine } from './pristine';
import { resolveProcessOutput, workerOutput } from './naming';
import { exposeWorkerHook, markWorker, shareWithWorkers, superviseWorkers, workerConfigText, workerName, type WorkerSupervisor } from './workers';
import { TERMINATING_SIGNALS, TerminationSignals } from './signals';
import type { HeapMoment } from '../trace/format';
import type { ObserverHooks } from './observer';
import type { CaptureKind } from './heap-watch';

/** This isolate's settings, and the output as the parent gave it (the template for children). */
function readConfig(): { config: CaptureConfig; template: string } | null {
  if (!isMainThread) {
    // The observer thread is alloctrace's, not the program's (with --children the preload reaches it through NODE_OPTIONS).
    if ((workerData as { alloctraceObserver?: unknown } | null)?.alloctraceObserver === true) return null;
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
  const { snapshots: _own, parentPid: _parent, control: _cli, ...rest } = config;
  return { ...rest, output: template.includes(PID_TOKEN) ? template : path.join(path.dirname(config.output), `${PID_TOKEN}.trace`) };
}

function install(): void {
  const read = readConfig();
  if (read === null) return;
  recordPristine();
  const { template } = read;
  // Under --heap-prof, V8 samples at node's interval, not ours (see heap-prof.ts).
  const heapProf = heapProfInterval(process.execArgv, process.env['NODE_OPTIONS']);
  const config: CaptureConfig = heapProf === null ? read.config : { ...read.config, interval: heapProf, mode: 'live' };

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
  // Before the program's code is optimized: V8 samples a folded group of allocations as one object.
  if (isMainThread && config.allocationFolding !== true) disableAllocationFolding();
  yieldHeapProfilerToProgram(engine);
  // The entry script's top-level variables stay live until the trace at the end (scope-retain.ts).
  // A CommonJS entry that gets its retainer only after its last line is read as it throws instead.
  let atThrow: V8SamplingProfile | undefined;
  // Not while the observer is connected: a debugger pause with its cross-thread session attached
  // never returns (seen on Node 20: the program hangs at its throw). The observer wins: it keeps
  // signals and snapshots working in busy code; a one-line CommonJS entry that throws at its top
  // level then loses its top-level data (docs/cli.md).
  let observerRunning = false;
  const entryScope = isMainThread ? retainEntryScope(() => (observerRunning ? () => undefined : engine.pauseOnUncaught(() => (atThrow = engine.profile())))) : null;
  const retainNote = retainModuleScripts(process.versions.node, entryScope?.compile ?? null);
  // The library API in the program reads this sampler rather than fighting over it.
  exposeSampler({ interval: config.interval, mode: engine.mode ?? config.mode, profile: () => engine.profile() });
  if (heapProf !== null) engine.notes.push(heapProfNote(heapProf));
  // Installed after the retainer, so that its rewrite is what the retainer extends and compiles.
  const exactLines = config.exactLines === true ? (require('./exact-lines') as typeof import('./exact-lines')).installExactLines() : null;
  let supervisor: WorkerSupervisor | null = null;
  if (isMainThread) {
    if (config.parentPid !== undefined) (require('./orphan') as typeof import('./orphan')).dieWithParent(config.parentPid, path.dirname(config.output));
    shareWithWorkers(config);
    supervisor = superviseWorkers(engine);
  } else {
    markWorker('tracing');
  }
  let written = false;
  const heapLimit = heapLimitOf();
  /**
   * `--mode peak`: the highest live heap read so far, and its profile while it is not written yet.
   * A new high is only read (a full GC and the profile: what the program pays), and written once,
   * as the program ends; near the heap limit it is written at once, so an out-of-memory death
   * leaves it behind.
   */
  let peak: { used: number; time: string; profile: V8SamplingProfile | null } | null = null;
  // What this Node lacks or does differently, for every trace it writes.
  const runtimeNotes = (): string[] => {
    const notes = [...engine.notes, ...(exactLines?.notes ?? []), ...(entryScope?.notes ?? [])];
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
    // The program may have replaced globals the writer uses: the originals, while writing.
    const restoreProgram = usePristine();
    try {
      // Workers this thread would take down with it write theirs first.
      supervisor?.rescueAll();
      // Lazy: the converter and writer are not needed until the end.
      const { writeFinalTrace } = require('./flush') as typeof import('./flush');
      const notes = [...runtimeNotes(), ...(supervisor?.notes ?? [])];
      if (note !== undefined) notes.push(note);
      const output = isMainThread ? config.output : workerOutput(config.output, threadId);
      const request = {
        engine,
        config,
        startTime,
        reason,
        notes,
        exactLines: exactLines?.urls() ?? null,
        output,
        thread: isMainThread ? { id: 0, name: 'main' } : { id: threadId, name: workerName() || `worker ${threadId}` },
        argv: config.argv,
        // The program ended by the exception it was read at.
        profile: note !== undefined && reason === 'exit' ? atThrow : undefined,
      };
      if (config.peak === true) {
        // The end is the peak only when the heap is at least as large as at the best peak seen.
        const profile = engine.profile();
        const live = liveHeap();
        const time = new Date().toISOString();
        if (peak === null || live >= peak.used) writeFinalTrace({ ...request, reason: 'peak', profile, heap: { used: live, limit: heapLimit, endUsed: live, endTime: time } });
        else if (peak.profile !== null) writeFinalTrace({ ...request, reason: 'peak', profile: peak.profile, time: peak.time, heap: { used: peak.used, limit: heapLimit, endUsed: live, endTime: time } });
        else fs.writeFileSync(`${output}.end.json`, JSON.stringify({ endUsed: live, endTime: time }));
      } else {
        writeFinalTrace(request);
        if (config.objects !== undefined) (require('./objects') as typeof import('./objects')).writeObjectSnapshot(output);
      }
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
      restoreProgram();
      if (!isMainThread) markWorker('written');
    }
  };

  // The trace at exit says when an uncaught exception or rejection ended the program.
  const ending = isMainThread ? watchEnding() : () => undefined;
  process.on('exit', () => flush('exit', ending()));
  if (!isMainThread) {
    exposeWorkerHook(() => flush('exit', 'worker stopped by terminate() or by its process ending'));
    return;
  }

  const { startObserver, keepOneTurn, letObserverGo, interruptedProgram } = require('./observer') as typeof import('./observer');
  // process.exit() with the observer's session still connected makes Node print "Waiting for the
  // debugger to disconnect..." on the program's stderr: it lets go first (after the trace, which
  // is written by the listener registered before this one).
  process.on('exit', letObserverGo);
  const terminations = new TerminationSignals((signal) => flush('signal', `program ended by ${signal}`), letObserverGo);
  terminations.install();
  if (config.control !== undefined) {
    const { markSignalsToCli } = require('./own-signals') as typeof import('./own-signals');
    markSignalsToCli(config.control.dir, config.control.cliPid);
  }

  let snapshots: import('./snapshots').Snapshots | null = null;
  let busyBefore = false;
  const snapshotSignal = config.snapshots?.signal ?? null;
  const hooks: ObserverHooks = {
    signal: ({ signal, delivered }) => {
      if (TERMINATING_SIGNALS.includes(signal)) {
        // The program's own listeners decide: they get the signal (the terminal already sent it on Ctrl-C).
        if (terminations.endBy(signal, false) === 'ended') return 'raise';
        return delivered ? 'none' : 'raise';
      }
      const listening = process.listeners(signal as NodeJS.Signals).some((listener) => listener !== snapshots?.listener);
      if (signal === snapshotSignal && snapshots !== null && !listening) {
        snapshots.take('signal');
        return 'none';
      }
      return delivered ? 'none' : 'raise';
    },
    // Only in the middle of the program's own code: between callbacks the timer keeps the schedule.
    // Two calls in a row, a period apart, in the middle of the program's own code: a long
    // synchronous stretch. Between callbacks (or in a short one) the timer keeps the schedule.
    interval: () => {
      const busy = interruptedProgram(hooks.interval);
      if (busy && busyBefore) snapshots?.ifOverdue();
      busyBefore = busy;
    },
    capture: (kind) => capture(kind),
    probe: () => keepOneTurn(hooks.probe),
  };
  const capture = (kind: CaptureKind): { live: number; wrote: boolean } => {
    const profile = engine.profile();
    const live = liveHeap();
    const time = new Date().toISOString();
    if (config.peak === true) {
      if (peak !== null && live <= peak.used) return { live, wrote: false };
      // Kept, not written: writing costs the program more than reading (see `peak`).
      if (kind === 'peak') {
        peak = { used: live, time, profile };
        return { live, wrote: true };
      }
    }
    try {
      const { writeFinalTrace } = require('./flush') as typeof import('./flush');
      const heap: HeapMoment = { used: live, limit: heapLimit, endUsed: null, endTime: null };
      const notes = runtimeNotes();
      if (kind === 'heap-limit') notes.push('taken as the heap neared its limit: the program may have run out of memory after it');
      const reason = config.peak === true ? 'peak' : kind;
      writeFinalTrace({ engine, config, startTime, reason, notes, profile, heap, time, exactLines: exactLines?.urls() ?? null, output: config.output, thread: { id: 0, name: 'main' }, argv: config.argv });
    } catch {
      return { live, wrote: false };
    }
    if (config.peak === true) peak = { used: live, time, profile: null };
    return { live, wrote: true };
  };
  const observed = (observerRunning = startObserver(hooks, {
    control: config.control?.dir ?? null,
    snapshotEveryMs: config.snapshots?.everyMs ?? null,
    heap: { limit: heapLimit, peak: config.peak === true },
    tickMs: config.peak === true ? 10 : 100,
  }));
  // Signals sent to alloctrace wait for an observer that is on its way (see cli/run.ts).
  if (observed && config.control !== undefined) (require('./control') as typeof import('./control')).markStarting(config.control.dir);

  if (config.snapshots !== undefined) {
    // Lazy: programs traced without snapshots never load this (and get no signal handler).
    const { installSnapshots } = require('./snapshots') as typeof import('./snapshots');
    snapshots = installSnapshots({ engine, config, snapshots: config.snapshots, startTime, notes: runtimeNotes, exactLines: () => exactLines?.urls() ?? null });
  }
}

/** Live V8 heap: read right after a profile, whose full GC left only what is alive. */
function liveHeap(): number {
  return (require('node:v8') as typeof import('node:v8')).getHeapStatistics().used_heap_size;
}

/** What V8's old generation may hold before "heap out of memory": the flag, else the whole heap's limit. */
function heapLimitOf(): number {
  const { oldSpaceFlag } = require('./heap-watch') as typeof import('./heap-watch');
  return oldSpaceFlag(process.execArgv, process.env['NODE_OPTIONS']) ?? (require('node:v8') as typeof import('node:v8')).getHeapStatistics().heap_size_limit;
}

// Once per isolate, even when two alloctrace installs are preloaded (a nested run's and the outer one's).
const LOADED = Symbol.for('alloctrace.preloaded');
if ((globalThis as Record<symbol, unknown>)[LOADED] !== true) {
  Object.defineProperty(globalThis, LOADED, { value: true, enumerable: false, configurable: true });
  install();
}
