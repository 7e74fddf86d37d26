/**
 * The observer: a worker thread that watches the main thread from outside. Its inspector session
 * is connected to the main thread (no port) and is answered while the main thread runs
 * synchronous code (V8 interrupts it), so it can act on signals `alloctrace run` got, keep the
 * snapshot schedule, and follow the heap for `--mode peak` and near its limit. What it asks for
 * runs on the main thread, through the hooks below. The worker is unref'd (it never keeps the
 * program alive) and writes nothing to the program's output.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SignalRequest } from './control';
import type { CaptureKind } from './heap-watch';
import { inOwnWork } from './own-work';

/** `globalThis[Symbol.for(…)]`: where the worker finds the hooks (once, at its start). */
export const OBSERVER_HOOKS = 'alloctrace.observer';

/** What the main thread does when the observer asks; each runs on the main thread. */
export interface ObserverHooks {
  /** A signal the CLI got: whether the observer is to raise it now (the trace, if any, is written). */
  signal(request: SignalRequest): 'raise' | 'none';
  /** A snapshot on the schedule (`--snapshot-every`), when the main thread's own timer is late. */
  interval(): void;
  /** A trace at a peak or near the heap limit: the live heap after its GC, whether it was written. */
  capture(kind: CaptureKind): { live: number; wrote: boolean };
  /** Called every tick: lets a signal that came during synchronous code be handled before the loop ends. */
  probe(): void;
}

/** The worker's settings (its `workerData`). */
export interface ObserverData {
  /** Marks the observer's own thread: the preload never traces it (it is not the program's). */
  alloctraceObserver: true;
  /** The run's control folder, or `null` outside `alloctrace run`'s own process. */
  control: string | null;
  snapshotEveryMs: number | null;
  /** Old-generation limit in bytes, and whether to follow peaks. */
  heap: { limit: number; peak: boolean };
  /** How often the heap is read, in ms. */
  tickMs: number;
  /**
   * [0]: set by the main thread before the process ends; [1]: set by the observer once it let go;
   * [2]: the observer's session, `STARTING` → `CONNECTED` (by the observer) or → `NEVER` (by the
   * main thread ending first: the observer then never connects, and nobody waits for it).
   */
  farewell: SharedArrayBuffer;
}

let farewell: Int32Array | null = null;

/** States of `farewell[SESSION]`. */
export const SESSION = 2;
export const STARTING = 0;
export const CONNECTED = 1;
export const NEVER = 2;

/** The settings of `startObserver` that it makes itself. */
export type ObserverSettings = Omit<ObserverData, 'farewell' | 'alloctraceObserver'>;

export function startObserver(hooks: ObserverHooks, settings: ObserverSettings): boolean {
  const data: ObserverData = { ...settings, alloctraceObserver: true, farewell: new SharedArrayBuffer(12) };
  Object.defineProperty(globalThis, Symbol.for(OBSERVER_HOOKS), { value: hooks, configurable: true, enumerable: false });
  try {
    // No execArgv: the preload must not trace its own observer. stdout/stderr: not piped into the program's.
    const worker = new Worker(path.join(__dirname, 'observer-worker.js'), { workerData: data, execArgv: [], stdout: true, stderr: true, name: 'alloctrace observer' });
    // An observer that fails must never take the program down with it.
    worker.on('error', () => undefined);
    worker.unref();
    farewell = new Int32Array(data.farewell);
    return true;
  } catch {
    return false;
  }
}

/**
 * Before the process ends: the observer disconnects its session first, or Node may
 * print "Waiting for the debugger to disconnect..." on the program's stderr. Bounded: an observer
 * that does not answer is not waited for.
 */
export function letObserverGo(): void {
  if (farewell === null) return;
  // An observer still starting (a short program) is told never to connect: nothing to wait for.
  if (Atomics.compareExchange(farewell, SESSION, STARTING, NEVER) !== CONNECTED) return;
  Atomics.store(farewell, 0, 1);
  Atomics.notify(farewell, 0);
  Atomics.wait(farewell, 1, 0, FAREWELL_MS);
}

const FAREWELL_MS = 500;

let turnPending = false;

/**
 * Whether the main thread was running its own code when interrupted: frames below the hook that
 * the inspector called. The program's `prepareStackTrace` and limit are put back at once.
 */
export function interruptedProgram(hook: (...args: never[]) => unknown): boolean {
  if (inOwnWork()) return false;
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 4;
    Error.prepareStackTrace = (_error, frames) => frames.length;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, hook);
    // The inspector's own call of the hook is one frame.
    return typeof holder.stack === 'number' && holder.stack > 1;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

/**
 * A signal listener runs only when the event loop turns, and a loop with nothing but (unref'd)
 * signal handles ends without reading a signal that came during synchronous code (D1): while the
 * program is busy, one pending immediate makes the loop turn once more when it is done.
 */
export function keepOneTurn(hook: (...args: never[]) => unknown): void {
  if (turnPending || !interruptedProgram(hook)) return;
  turnPending = true;
  setImmediate(() => {
    turnPending = false;
  });
}
