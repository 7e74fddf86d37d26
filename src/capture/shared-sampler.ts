/**
 * V8 has one sampling heap profiler per thread. Under `alloctrace run` the preload owns it; the
 * library API (`start`/`stop`/`clearTraces` in the traced program) then reads the same sampler
 * instead of restarting or stopping it, which would destroy the run's trace. The handle is left
 * on the isolate's global under a registered symbol, so that another copy of alloctrace (the
 * program's own dependency) finds it too: keep its shape stable.
 */
import type { TraceMode } from '../trace/format';
import type { V8SamplingProfile } from '../trace/v8-profile';

const KEY = Symbol.for('alloctrace.sampler');

export interface SharedSampler {
  /** Mean bytes between samples V8 really uses. */
  readonly interval: number;
  readonly mode: TraceMode;
  /** The profile so far (V8 runs a full GC first). */
  profile(): V8SamplingProfile;
}

export function exposeSampler(sampler: SharedSampler): void {
  Object.defineProperty(globalThis, KEY, { value: sampler, enumerable: false, configurable: true });
}

/** The sampler of the run tracing this thread, or `null` when none. */
export function runSampler(): SharedSampler | null {
  const value = (globalThis as Record<symbol, unknown>)[KEY] as Partial<SharedSampler> | undefined;
  if (value === undefined || typeof value.profile !== 'function' || typeof value.interval !== 'number') return null;
  return value as SharedSampler;
}

/** The last sample's ordinal (0: none): samples after it are those taken since. */
export function lastOrdinal(profile: V8SamplingProfile): number {
  let last = 0;
  for (const sample of profile.samples ?? []) last = Math.max(last, sample.ordinal);
  return last;
}

/** `profile` with only the samples after `ordinal`; each node's selfSize is the sum of those kept. */
export function samplesAfter(profile: V8SamplingProfile, ordinal: number): V8SamplingProfile {
  if (ordinal <= 0) return profile;
  const samples = (profile.samples ?? []).filter((s) => s.ordinal > ordinal);
  const selfSize = new Map<number, number>();
  for (const s of samples) selfSize.set(s.nodeId, (selfSize.get(s.nodeId) ?? 0) + s.size);
  const copy = (node: V8SamplingProfile['head']): V8SamplingProfile['head'] => ({ ...node, selfSize: selfSize.get(node.id) ?? 0, children: node.children.map(copy) });
  return { head: copy(profile.head), samples };
}
