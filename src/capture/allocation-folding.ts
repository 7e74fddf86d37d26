/**
 * Allocation folding off, before the program's code is optimized.
 *
 * TurboFan (and Maglev on V8 13+, Node 24 and later) fold the allocations of one optimized
 * function into a single bump of the allocation pointer. V8's sampler sees that one folded
 * allocation as one object of the summed size and keeps it "live" while the object at its start
 * lives: bson's deserialize read 1.41–1.49× its heap (Node 20, 26), 0.95–1.02× with folding off
 * (docs/decisions.md). Flags are process-wide: worker threads share them.
 */
import * as v8 from 'node:v8';

/** V8 flags that turn allocation folding off on this Node (Maglev's flag is V8 13+ only: older V8 prints an error for it). */
export function noFoldingFlags(v8Version: string = process.versions.v8): string[] {
  const major = Number(v8Version.split('.')[0]);
  return major >= 13 ? ['--no-turbo-allocation-folding', '--maglev-allocation-folding=0'] : ['--no-turbo-allocation-folding'];
}

export function disableAllocationFolding(): void {
  for (const flag of noFoldingFlags()) v8.setFlagsFromString(flag);
}
