/**
 * A program that profiles itself with `v8.startHeapProfile` (Node 26+): V8 has one sampling heap
 * profiler per thread, and starting it while alloctrace's runs throws "Heap profile has been
 * started". The program must run as without us, so its first call takes the profiler over:
 * alloctrace keeps what was live at that moment as its trace, says so in one line, and steps
 * aside.
 */
import { syncBuiltinESMExports } from 'node:module';
import v8 = require('node:v8');
import type { SamplingEngine } from './engine';

type StartHeapProfile = (...args: unknown[]) => unknown;

export function yieldHeapProfilerToProgram(engine: SamplingEngine): void {
  const api = v8 as unknown as { startHeapProfile?: StartHeapProfile };
  const original = api.startHeapProfile;
  if (typeof original !== 'function') return;
  const startHeapProfile = function (this: unknown, ...args: unknown[]): unknown {
    if (engine.active) {
      const when = new Date().toISOString();
      engine.handOver(`the program started V8's heap profiler itself (v8.startHeapProfile) at ${when}: this trace is what was live then`);
      process.stderr.write("alloctrace: the program starts V8's heap profiler itself (v8.startHeapProfile, one per thread): alloctrace's trace is what was live up to now\n");
    }
    return Reflect.apply(original, this, args);
  };
  Object.defineProperty(startHeapProfile, 'name', { value: original.name });
  Object.defineProperty(startHeapProfile, 'length', { value: original.length });
  try {
    Object.defineProperty(v8, 'startHeapProfile', { value: startHeapProfile, writable: true, configurable: true, enumerable: true });
    // `import { startHeapProfile } from 'node:v8'` reads the ES module's own copy of the export.
    syncBuiltinESMExports();
  } catch {
    // A frozen module object: the program's call will fail as V8 makes it fail.
  }
}
