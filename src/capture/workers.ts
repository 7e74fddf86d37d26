/**
 * Worker threads. Each worker is its own isolate: the preload runs in it too (node passes
 * `--require` on), samples it with its own session and writes its own trace when it ends.
 * A worker stopped by `terminate()` or by its process ending never sees its own 'exit', so the
 * thread that owns it asks it to write first, through the inspector, and waits for the file.
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
const FLUSH_HOOK = 'alloctrace.flushWorker';
const NAME_KEY = 'alloctrace.workerName';
/** How long a terminating thread waits for a worker's trace. */
const RESCUE_TIMEOUT_MS = 5_000;

/** Hands the (resolved) config to every worker this process starts, nested ones included. */
export function shareWithWorkers(config: CaptureConfig): void {
  workerThreads.setEnvironmentData(CONFIG_KEY, JSON.stringify(config));
  // Shared memory (not a copy): a worker marks here that it traces, then that it has written.
  workerThreads.setEnvironmentData(STATE_KEY, new SharedArrayBuffer(SLOTS * 4));
}

function stateSlots(): Int32Array | null {
  const value = workerThreads.getEnvironmentData(STATE_KEY);
  return value instanceof SharedArrayBuffer ? new Int32Array(value) : null;
}

/** This worker's state: tracing, then written (wakes a thread waiting in `rescue`). */
export function markWorker(state: 'tracing' | 'written'): void {
  const slots = stateSlots();
  if (slots === null) return;
  const slot = workerThreads.threadId % SLOTS;
  Atomics.store(slots, slot, state === 'tracing' ? TRACING : WRITTEN);
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

export interface WorkerSupervisor {
  /** Asks every live worker to write its trace, and waits (bounded) until they have. */
  rescueAll(): void;
}

/** Watches the workers of this thread; `null` where they cannot be followed. */
export function superviseWorkers(engine: SamplingEngine): WorkerSupervisor | null {
  const slots = stateSlots();
  if (slots === null) return null;
  const live = new Map<number, string>();
  const watching = engine.watchWorkers(
    (worker) => {
      live.set(worker.threadId, worker.sessionId);
      // Node runs module.register() hooks (tsx's, for one) in a worker of its own.
      const name = worker.url.startsWith('node:internal/modules/esm/') ? 'module loader hooks' : nameFromTitle(worker.title);
      // The worker's code may not have run yet: leave the name where its flush will look.
      const key = `Symbol.for(${JSON.stringify(NAME_KEY)})`;
      if (name !== '') engine.evaluateInWorker(worker.sessionId, `Object.defineProperty(globalThis, ${key}, { value: ${JSON.stringify(name)}, configurable: true })`);
    },
    (sessionId) => {
      for (const [id, s] of live) if (s === sessionId) live.delete(id);
    },
  );
  if (!watching) return null;

  const rescue = (threadIds: readonly number[]): void => {
    // Only workers whose preload runs (a worker started with its own execArgv may have none).
    const pending = threadIds.filter((id) => live.has(id) && Atomics.load(slots, id % SLOTS) === TRACING);
    for (const id of pending) engine.evaluateInWorker(live.get(id)!, `globalThis[Symbol.for(${JSON.stringify(FLUSH_HOOK)})]?.()`);
    const deadline = Date.now() + RESCUE_TIMEOUT_MS;
    for (const id of pending) {
      const left = deadline - Date.now();
      if (left > 0) Atomics.wait(slots, id % SLOTS, TRACING, left);
    }
  };

  const WorkerClass = workerThreads.Worker as unknown as { prototype: { terminate: (this: { threadId: number }) => unknown } };
  const terminate = WorkerClass.prototype.terminate;
  WorkerClass.prototype.terminate = function alloctraceTerminate(this: { threadId: number }) {
    rescue([this.threadId]);
    return terminate.call(this);
  };
  return { rescueAll: () => rescue([...live.keys()]) };
}
