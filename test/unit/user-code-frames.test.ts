/**
 * The test helpers' own frames between a test and the function it measures must all be
 * spliced out of sampled stacks (CALLS_USER_CODE): samples under any other frame of ours are
 * dropped as our own, so a frame missing from the list makes every call under it invisible.
 * (`confirmStepwise` was missing: a leak in bursts passed limitLeaks.) The frames are read
 * from real stacks, not from a list kept by hand: every helper phase calls `fn`, which records
 * the physical (non-async) frames of our files above it.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CALLS_USER_CODE } from '../../src/api/tracing';
import { limitLeaks, limitMemory } from '../../src/testing';

const OWN_DIR = path.resolve(__dirname, '..', '..', 'src') + path.sep;

/** Names of our frames on the current stack, as V8 names physical frames (async ones left out). */
function ownFramesHere(into: Set<string>): void {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 100;
    Error.prepareStackTrace = (_e, calls) => calls;
    const calls = new Error().stack as unknown as NodeJS.CallSite[];
    for (const c of calls) {
      const file = c.getFileName() ?? '';
      if (c.isAsync() || !file.startsWith(OWN_DIR)) continue;
      into.add(c.getFunctionName() ?? '(anonymous)');
    }
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}

describe('alloctrace/test: frames on the way to user code', () => {
  it('every frame of ours above a measured call is spliced out, in every phase (warm-ups, steps, confirmation, limitMemory)', async () => {
    const seen = new Set<string>();
    // Grows in bursts (20 calls in 80): a stepwise suspect, so the confirming round runs too.
    const kept: number[][] = [];
    let calls = 0;
    let confirmed = false;
    const failure = await limitLeaks(
      () => {
        ownFramesHere(seen);
        if (Math.floor(calls / 20) % 4 === 1) kept.push(new Array<number>(256).fill(calls));
        if (++calls > 220) confirmed = true;
      },
      { iterations: 200, warmups: 20, threshold: '16 KiB' },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(confirmed, 'the confirming round ran');
    await limitMemory(() => ownFramesHere(seen), '1 MiB');
    const missing = [...seen].filter((name) => !CALLS_USER_CODE.has(name));
    assert.deepEqual(missing, [], `frames of ours above user code, not spliced out: ${missing.join(', ')} (all seen: ${[...seen].join(', ')})`);
    assert.ok(seen.has('callMeasured') && seen.has('confirmStepwise'), [...seen].join(', '));
    // And so the leak is seen in the confirming round too.
    assert.match(String(failure), /limitLeaks: .* stayed alive .*growing in steps it never gave back:\n.*\(then \+[\d.]+ KiB over 200 more calls\)/s);
  });
});
