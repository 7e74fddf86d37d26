/**
 * The one module that talks to V8: an in-process `node:inspector` Session driving the sampling
 * heap profiler. No port is opened. On the main thread `post` answers synchronously, which lets
 * a trace be read inside `process.on('exit')`.
 */
import { Session } from 'node:inspector';
import type { TraceMode } from '../trace/format';
import { EstimateMemo } from '../trace/estimate-memo';
import type { V8SamplingProfile } from '../trace/v8-profile';

export interface SamplingOptions {
  /** Mean bytes between samples. */
  interval: number;
  mode: TraceMode;
}

/** `startSampling` parameters that keep samples of collected objects (`allocated` mode). */
const COLLECTED_FLAGS = ['includeObjectsCollectedByMajorGC', 'includeObjectsCollectedByMinorGC'] as const;

/**
 * Whether this V8 knows a `HeapProfiler.startSampling` parameter. V8 ignores unknown parameters
 * silently, so asking with the flag set is no test; a known parameter of the wrong type is
 * refused with "Invalid parameters", an unknown one is ignored (and sampling starts: stopped here).
 */
export function knowsSamplingParam(session: Session, name: string): boolean {
  let refused = false;
  session.post('HeapProfiler.startSampling', { samplingInterval: 1 << 20, [name]: 'probe' }, (err) => {
    refused = err !== null && err !== undefined;
  });
  if (!refused) session.post('HeapProfiler.stopSampling', () => undefined);
  return refused;
}

/** A script V8 has loaded, as the debugger reports it. */
export interface LoadedScript {
  scriptId: number;
  /** The script's URL; for eval'd code its `//# sourceURL`, or `''`. */
  url: string;
  /** `''` when the script names no map. */
  sourceMapURL: string;
  /** The code V8 ran, where asked for. */
  source?: string;
}

export interface AttachedWorker {
  sessionId: string;
  threadId: number;
  /** `[worker 1] name`. */
  title: string;
  /** The worker's script (`node:internal/…` for node's own workers). */
  url: string;
}

export class SamplingEngine {
  private session: Session | null = null;
  /** One-line facts for the report: features this Node lacks and what was done instead. */
  readonly notes: string[] = [];
  /** What is really measured: `live` when `allocated` was asked on a V8 that cannot do it. */
  mode: TraceMode | null = null;
  /** Sample estimates of this sampling session, so every reading of a series agrees (v8-profile.ts). */
  estimates = new EstimateMemo();

  /** The profile read when the program took V8's sampler over (`handOver`); later reads return it. */
  private handedOver: V8SamplingProfile | null = null;

  get active(): boolean {
    return this.session !== null;
  }

  /**
   * Gives V8's one sampling heap profiler per thread to the program (which calls
   * `v8.startHeapProfile`, refused while ours runs): reads what is live now, stops sampling and
   * keeps the session for scripts. Later `profile()` calls return that reading.
   */
  handOver(note: string): void {
    if (this.session === null || this.handedOver !== null) return;
    this.handedOver = this.profile();
    this.session.post('HeapProfiler.stopSampling', () => undefined);
    this.notes.push(note);
  }

  start(options: SamplingOptions): void {
    if (this.session !== null) return;
    this.estimates = new EstimateMemo();
    const session = new Session();
    session.connect();
    const base = { samplingInterval: options.interval };
    let params: Record<string, unknown> = base;
    this.mode = options.mode;
    if (options.mode === 'allocated') {
      const missing = COLLECTED_FLAGS.filter((flag) => !knowsSamplingParam(session, flag));
      if (missing.length === 0) {
        params = { ...base, ...Object.fromEntries(COLLECTED_FLAGS.map((flag) => [flag, true])) };
      } else {
        this.mode = 'live';
        this.notes.push(`this Node's V8 lacks ${missing.join(', ')}: showing live memory, not all allocations`);
      }
    }
    let failure: Error | null = null;
    session.post('HeapProfiler.startSampling', params, (err) => {
      failure = err ?? null;
    });
    if (failure !== null && params !== base) {
      // Known but refused: sample anyway and say the mode is not what was asked.
      session.post('HeapProfiler.startSampling', base, (err) => {
        failure = err ?? null;
      });
      this.mode = 'live';
      this.notes.push('this Node refused to keep samples of collected objects: showing live memory, not all allocations');
    }
    if (failure !== null) {
      session.disconnect();
      throw failure;
    }
    this.session = session;
  }

  /** Reads the profile so far without stopping. V8 runs a full GC first. */
  profile(): V8SamplingProfile {
    if (this.handedOver !== null) return this.handedOver;
    const session = this.session;
    if (session === null) throw new Error('sampling is not started');
    let result: V8SamplingProfile | undefined;
    let failure: Error | null = null;
    session.post('HeapProfiler.getSamplingProfile', (err, reply) => {
      failure = err ?? null;
      result = reply?.profile as V8SamplingProfile | undefined;
    });
    if (failure !== null) throw failure;
    if (result === undefined) throw new Error('HeapProfiler.getSamplingProfile did not answer synchronously');
    return result;
  }

  /**
   * Follows this thread's worker threads through the inspector's NodeWorker domain (no port:
   * the same in-process session). Returns false where the domain is missing (inside workers on
   * older Node).
   */
  watchWorkers(onAttach: (worker: AttachedWorker) => void, onDetach: (sessionId: string) => void): boolean {
    const session = this.session;
    if (session === null) return false;
    let ok = true;
    session.on('NodeWorker.attachedToWorker', (message) => {
      const params = (message as { params?: { sessionId?: unknown; workerInfo?: { workerId?: unknown; title?: unknown; url?: unknown } } }).params;
      const sessionId = params?.sessionId;
      const title = typeof params?.workerInfo?.title === 'string' ? params.workerInfo.title : '';
      // `workerId` counts attachments, not threads: the threadId is the title's `[worker N]`.
      const id = Number(/^\[worker (\d+)\]/.exec(title)?.[1] ?? params?.workerInfo?.workerId);
      if (typeof sessionId !== 'string' || !Number.isInteger(id)) return;
      const url = typeof params?.workerInfo?.url === 'string' ? params.workerInfo.url : '';
      onAttach({ sessionId, threadId: id, title, url });
    });
    session.on('NodeWorker.detachedFromWorker', (message) => {
      const sessionId = (message as { params?: { sessionId?: unknown } }).params?.sessionId;
      if (typeof sessionId === 'string') onDetach(sessionId);
    });
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (err) => {
      if (err) ok = false;
    });
    return ok;
  }

  /**
   * Evaluates `expression` inside a worker, even while it runs JavaScript (the inspector
   * interrupts it). Fire and forget: the answer would need this thread's event loop.
   */
  evaluateInWorker(sessionId: string, expression: string): void {
    const session = this.session;
    if (session === null) return;
    const message = JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, silent: true } });
    session.post('NodeWorker.sendMessageToWorker', { sessionId, message }, () => undefined);
  }

  /**
   * Every script V8 has loaded: its id, URL (for eval'd code, its `//# sourceURL`) and
   * `sourceMappingURL` as V8 saw them in the loaded source (for in-memory transpilers: an inline
   * data: URL), and the source itself of the scripts `wantSource` picks. Enables the debugger for
   * the duration of the call: its `scriptParsed` reports arrive synchronously.
   */
  loadedScripts(wantSource: (script: LoadedScript) => boolean = () => false): LoadedScript[] {
    const session = this.session;
    const scripts: LoadedScript[] = [];
    if (session === null) return scripts;
    const onParsed = (message: { params?: { scriptId?: unknown; url?: unknown; sourceMapURL?: unknown } }): void => {
      const { scriptId, url, sourceMapURL } = message.params ?? {};
      if (typeof scriptId !== 'string' || typeof url !== 'string') return;
      scripts.push({ scriptId: Number(scriptId), url, sourceMapURL: typeof sourceMapURL === 'string' ? sourceMapURL : '' });
    };
    session.on('Debugger.scriptParsed', onParsed);
    try {
      session.post('Debugger.enable', () => undefined);
      for (const script of scripts) {
        if (!wantSource(script)) continue;
        session.post('Debugger.getScriptSource', { scriptId: String(script.scriptId) }, (err, reply) => {
          if (!err && typeof reply?.scriptSource === 'string') script.source = reply.scriptSource;
        });
      }
      session.post('Debugger.disable', () => undefined);
    } finally {
      session.removeListener('Debugger.scriptParsed', onParsed);
    }
    return scripts;
  }

  /**
   * Until the returned function is called: on an exception V8 predicts uncaught, `onThrow` runs
   * while the throwing frames are still on the stack (the debugger pauses this thread, which the
   * in-process session resumes at once). Other pauses (promise rejections) resume untouched.
   */
  pauseOnUncaught(onThrow: () => void): () => void {
    const session = this.session;
    if (session === null) return () => undefined;
    let armed = true;
    const disarm = (): void => {
      if (!armed) return;
      armed = false;
      session.removeListener('Debugger.paused', onPaused);
      session.post('Debugger.setPauseOnExceptions', { state: 'none' }, () => undefined);
      session.post('Debugger.disable', () => undefined);
    };
    const onPaused = (message: { params?: { reason?: unknown } }): void => {
      if (message.params?.reason !== 'exception') {
        session.post('Debugger.resume', () => undefined);
        return;
      }
      try {
        onThrow();
      } finally {
        disarm();
      }
    };
    session.on('Debugger.paused', onPaused);
    session.post('Debugger.enable', () => undefined);
    session.post('Debugger.setPauseOnExceptions', { state: 'uncaught' }, () => undefined);
    return disarm;
  }

  stop(): void {
    const session = this.session;
    if (session === null) return;
    this.session = null;
    if (this.handedOver === null) session.post('HeapProfiler.stopSampling', () => undefined);
    session.disconnect();
  }
}
