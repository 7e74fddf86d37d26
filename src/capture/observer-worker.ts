/**
 * The observer thread's code (started by observer.ts; see there). Everything it does on the main
 * thread goes through an inspector session connected to it, so it happens even while the main
 * thread runs synchronous code: V8 runs it at the next interrupt check. It never writes to the
 * program's stdout or stderr, and it keeps its own event loop alive with a timer (the Worker
 * object itself is unref'd, so the program ends when it would without us).
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import { workerData } from 'node:worker_threads';
import { claimRequests, markReady, type SignalRequest } from './control';
import { HeapWatch, type CaptureKind } from './heap-watch';
import { CONNECTED, NEVER, OBSERVER_HOOKS, SESSION, STARTING, type ObserverData } from './observer';

type Reply = Record<string, unknown>;

const data = workerData as ObserverData;
const farewell = new Int32Array(data.farewell);
// The main thread ended while this thread started (letObserverGo): never connect, just end.
if (Atomics.compareExchange(farewell, SESSION, STARTING, CONNECTED) === NEVER) process.exit(0);
const session = new Session();
session.connectToMainThread();

function post(method: string, params: Record<string, unknown> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, reply) => (error ? reject(error) : resolve((reply ?? {}) as Reply)));
  });
}

let hooksId: string | null = null;

/** Calls `hook(argument)` on the main thread's hooks object; resolves to its value. */
async function call(hook: string, argument?: unknown): Promise<unknown> {
  if (hooksId === null) {
    const found = await post('Runtime.evaluate', { expression: `globalThis[Symbol.for(${JSON.stringify(OBSERVER_HOOKS)})]`, silent: true });
    hooksId = ((found['result'] as { objectId?: string } | undefined)?.objectId) ?? null;
    if (hooksId === null) throw new Error('the main thread has no observer hooks');
  }
  const reply = await post('Runtime.callFunctionOn', {
    objectId: hooksId,
    functionDeclaration: `function (argument) { return this[${JSON.stringify(hook)}](argument); }`,
    arguments: argument === undefined ? [] : [{ value: argument }],
    returnByValue: true,
    silent: true,
  });
  return (reply['result'] as { value?: unknown } | undefined)?.value;
}

/** One call of each kind at a time: a main thread stuck in a native call gets no pile of them. */
const busy = new Set<string>();
function once(key: string, run: () => Promise<void>): void {
  if (busy.has(key)) return;
  busy.add(key);
  run()
    .catch(() => undefined)
    .finally(() => busy.delete(key));
}

// Signals: acted on in order, each as soon as the main thread can run a little JavaScript.
let signals: Promise<void> = Promise.resolve();
function takeRequests(): void {
  if (data.control === null) return;
  for (const request of claimRequests(data.control)) {
    signals = signals
      .then(() => call('signal', request satisfies SignalRequest))
      .then((action) => {
        if (action !== 'raise') return;
        // Raised from here, once this session let go: a death with a session mid-call makes Node
        // print "Waiting for the debugger to disconnect..." on the program's stderr.
        session.disconnect();
        process.kill(process.pid, request.signal);
      })
      .catch(() => undefined);
  }
}

const watch = new HeapWatch(data.heap);
/** The heap is read every `data.tickMs` while it moves; a steady heap is read less often, up to every STEADY_MS. */
const STEADY_MS = 100;
const STEADY_BYTES = 256 * 1024;
let delay = data.tickMs;
let lastUsed = -1;
function tick(): void {
  takeRequests();
  once('probe', async () => {
    await call('probe');
  });
  once('heap', async () => {
    const usage = await post('Runtime.getHeapUsage');
    const used = Number(usage['usedSize']);
    delay = Math.abs(used - lastUsed) < STEADY_BYTES ? Math.min(STEADY_MS, Math.max(delay, data.tickMs) * 2) : data.tickMs;
    lastUsed = used;
    const kind: CaptureKind | null = Number.isFinite(used) ? watch.next(used, Date.now()) : null;
    if (kind === null) return;
    const started = Date.now();
    const result = (await call('capture', kind)) as { live?: number; wrote?: boolean } | undefined;
    watch.captured(Number(result?.live ?? used), result?.wrote === true, Date.now() - started, Date.now());
  });
}

// The process is about to end: let go of the main thread first (see letObserverGo).
const waitAsync = (Atomics as unknown as { waitAsync?: (array: Int32Array, index: number, value: number) => { value: Promise<unknown> | string } }).waitAsync;
if (typeof waitAsync === 'function') {
  const result = waitAsync(farewell, 0, 0).value;
  void Promise.resolve(result).then(() => {
    session.disconnect();
    Atomics.store(farewell, 1, 1);
    Atomics.notify(farewell, 1);
  });
}

// A chain of timeouts rather than an interval: the period follows the heap (see `delay`).
const schedule = (): void => {
  setTimeout(() => {
    tick();
    schedule();
  }, Math.max(data.tickMs, delay));
};
schedule();
const everyMs = data.snapshotEveryMs;
if (everyMs !== null) {
  // The next period starts when a snapshot is done: two are never closer than the period, even
  // when the main thread made one wait.
  const next = (): void => {
    setTimeout(() => {
      call('interval').catch(() => undefined).finally(next);
    }, everyMs);
  };
  next();
}
if (data.control !== null) {
  try {
    // Requests are also picked up at every tick: a missed watch event costs one tick, no more.
    fs.watch(data.control, takeRequests);
    markReady(data.control);
  } catch {
    // No control folder (the run is over): signals reach the program the old way.
  }
}
