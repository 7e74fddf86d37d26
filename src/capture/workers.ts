/**
 * Worker threads. Each worker is its own isolate: the preload runs in it too (node passes
 * `--require` on), samples it with its own session and writes its own trace when it ends.
 * A worker stopped by `terminate()` or by its process ending never sees its own 'exit', so the
 * thread that owns it asks it to write first, through the inspector, and waits (bounded) until
 * the worker marks its shared state slot written.
 */
import * as workerThreads from 'node:worker_threads';
import type { CaptureConfig } from './config';
import type { SamplingEngine } from './engine';

const CONFIG_KEY = 'alloctrace.capture';
const STATE_KEY = 'alloctrace.workerState';
/** Per-thread state slots, shared by every thread of the process: threadId modulo this. */
const SLOTS = 4096;
const TRACING = 1;
const WRITTEN = 2;
const FLUSHING = 3;
const FLUSH_HOOK = 'alloctrace.flushWorker';
const NAME_KEY = 'alloctrace.workerName';
/**
 * A worker answers within milliseconds when it runs JavaScript, idles in its event loop or is
 * parked in `Atomics.wait` (the inspector interrupts all three); one inside a long native call
 * (`execSync`, a blocking read) cannot: after this long it is let go, rather than holding up its
 * `terminate()` or the process's end.
 */
const START_TIMEOUT_MS = 250;
/** Once it has started, how long writing its trace may take. */
const WRITE_TIMEOUT_MS = 10_000;

/** Hands the (resolved) config to every worker this process starts, nested ones included. */
export function shareWithWorkers(config: CaptureConfig): void {
  workerThreads.setEnvironmentData(CONFIG_KEY, JSON.stringify(config));
  // Shared memory (not a copy): a worker marks here that it traces, then that it has written.
  // Slot `SLOTS + n`: 1 once worker n's own exit has begun.
  workerThreads.setEnvironmentData(STATE_KEY, new SharedArrayBuffer(SLOTS * 2 * 4));
}

function stateSlots(): Int32Array | null {
  const value = workerThreads.getEnvironmentData(STATE_KEY);
  return value instanceof SharedArrayBuffer ? new Int32Array(value) : null;
}

/**
 * This worker's state: tracing, flushing, then written (each wakes a thread waiting for it); apart,
 * whether its own exit has begun (it ends by itself: `terminate()` must not cut it short).
 */
export function markWorker(state: 'tracing' | 'flushing' | 'written'): void {
  const slots = stateSlots();
  if (slots === null) return;
  const slot = workerThreads.threadId % SLOTS;
  // Node sets `_exiting` before any 'exit' listener runs: a flush asked for then is the worker's own end.
  if ((process as { _exiting?: unknown })._exiting === true) Atomics.store(slots, SLOTS + slot, 1);
  Atomics.store(slots, slot, state === 'tracing' ? TRACING : state === 'flushing' ? FLUSHING : WRITTEN);
  Atomics.notify(slots, slot);
}

/** The config inside a worker, or `null` when the process is not traced. */
export function workerConfigText(): string | undefined {
  const value = workerThreads.getEnvironmentData(CONFIG_KEY);
  return typeof value === 'string' ? value : undefined;
}

/** Lets the owning thread trigger this worker's flush. */
export function exposeWorkerHook(flush: () => void): void {
  Object.defineProperty(globalThis, Symbol.for(FLUSH_HOOK), { value: flush, enumerable: false, configurable: true });
}

/** The `name` this worker was given, as its owning thread told it (or ''). */
export function workerName(): string {
  const name = (globalThis as Record<symbol, unknown>)[Symbol.for(NAME_KEY)];
  return typeof name === 'string' ? name : '';
}

/** `[worker 3] hasher` → `hasher`; no name → ''. */
export function nameFromTitle(title: string): string {
  return title.replace(/^\[worker \d+\]\s*/, '');
}

interface TerminableWorker {
  threadId: number;
  once(event: 'exit', listener: () => void): unknown;
}

export interface WorkerSupervisor {
  /** Asks every live worker to write its trace, and waits (bounded) until they have. */
  rescueAll(): void;
  /** One line per worker that could not write its trace, for this thread's notes. */
  readonly notes: string[];
}

/** Watches the workers of this thread; `null` where they cannot be followed. */
export function superviseWorkers(engine: SamplingEngine): WorkerSupervisor | null {
  const slots = stateSlots();
  if (slots === null) return null;
  const live = new Map<number, string>();
  const names = new Map<number, string>();
  const notes: string[] = [];
  const giveUp = (slot: number, threadId: number): void => {
    if (Atomics.load(slots, slot) !== TRACING) return;
    const name = names.get(threadId);
    notes.push(`worker ${threadId}${name === undefined || name === '' ? '' : ` (${name})`} did not answer when stopped (blocked in a native call): its trace may be missing`);
  };
  const watching = engine.watchWorkers(
    (worker) => {
      live.set(worker.threadId, worker.sessionId);
      // Node runs module.register() hooks (tsx's, for one) in a worker of its own.
      const name = worker.url.startsWith('node:internal/modules/esm/') ? 'module loader hooks' : nameFromTitle(worker.title);
      names.set(worker.threadId, name);
      // The worker's code may not have run yet: leave the name where its flush will look.
      const key = `Symbol.for(${JSON.stringify(NAME_KEY)})`;
      if (name !== '') engine.evaluateInWorker(worker.sessionId, `Object.defineProperty(globalThis, ${key}, { value: ${JSON.stringify(name)}, configurable: true })`);
    },
    (sessionId) => {
      for (const [id, s] of live) if (s === sessionId) live.delete(id);
    },
  );
  if (!watching) return null;

  /** Asks the traced ones of `threadIds` to write; returns them. */
  const request = (threadIds: readonly number[]): number[] => {
    // Only workers whose preload runs (a worker started with its own execArgv may have none).
    const pending = threadIds.filter((id) => live.has(id) && Atomics.load(slots, id % SLOTS) === TRACING);
    for (const id of pending) engine.evaluateInWorker(live.get(id)!, `globalThis[Symbol.for(${JSON.stringify(FLUSH_HOOK)})]?.()`);
    return pending;
  };

  /** Blocking: the process is ending, nothing else can run anyway. */
  const rescue = (threadIds: readonly number[]): void => {
    // Workers already writing on their own (a process.exit of theirs) are waited for too.
    const writing = threadIds.filter((id) => Atomics.load(slots, id % SLOTS) === FLUSHING);
    const pending = request(threadIds);
    const started = Date.now() + START_TIMEOUT_MS;
    for (const id of pending) Atomics.wait(slots, id % SLOTS, TRACING, Math.max(0, started - Date.now()));
    for (const id of pending) giveUp(id % SLOTS, id);
    const written = Date.now() + WRITE_TIMEOUT_MS;
    for (const id of [...writing, ...pending]) Atomics.wait(slots, id % SLOTS, FLUSHING, Math.max(0, written - Date.now()));
  };

  /** Not blocking: `terminate()` already returns a promise; the program runs on meanwhile. */
  const waitAsync = (Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
  const rescueAsync = async (threadId: number): Promise<void> => {
    if (typeof waitAsync !== 'function') return rescue([threadId]);
    for (const id of request([threadId])) {
      const slot = id % SLOTS;
      const start = waitAsync(slots, slot, TRACING, START_TIMEOUT_MS);
      if (start.async) await start.value;
      giveUp(slot, id);
      const write = waitAsync(slots, slot, FLUSHING, WRITE_TIMEOUT_MS);
      if (write.async) await write.value;
    }
  };

  /**
   * A worker writing its trace on its own way out (its `process.exit`): killing it now would cost
   * the trace and turn its exit code into 1. Waits (bounded) until it has written and ended.
   */
  const letItEnd = async (worker: TerminableWorker, slot: number): Promise<void> => {
    const ended = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WRITE_TIMEOUT_MS + START_TIMEOUT_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // Already gone (its 'exit' was emitted): node sets threadId to -1.
      if (worker.threadId < 0) resolve();
    });
    if (typeof waitAsync === 'function') {
      const write = waitAsync(slots, slot, FLUSHING, WRITE_TIMEOUT_MS);
      if (write.async) await write.value;
    }
    await ended;
  };

  const WorkerClass = workerThreads.Worker as unknown as { prototype: { terminate: (this: TerminableWorker) => Promise<number> } };
  const terminate = WorkerClass.prototype.terminate;
  WorkerClass.prototype.terminate = function alloctraceTerminate(this: TerminableWorker) {
    const slot = this.threadId % SLOTS;
    if (this.threadId <= 0) return terminate.call(this);
    const rescued = live.has(this.threadId) ? rescueAsync(this.threadId) : Promise.resolve();
    return rescued.then(() => (Atomics.load(slots, SLOTS + slot) === 1 ? letItEnd(this, slot) : undefined)).then(() => terminate.call(this));
  };
  return { rescueAll: () => rescue([...live.keys()]), notes };
}
