/** The test helpers' size and argument parsing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitLeaks, limitMemory } from '../../src/testing';
import { parseSize } from '../../src/testing/size';

describe('alloctrace/test arguments', () => {
  it('sizes as numbers or text in binary units', () => {
    assert.deepEqual([parseSize(1000, 'x'), parseSize('64 KiB', 'x'), parseSize('64k', 'x'), parseSize('1.5 MB', 'x'), parseSize('2GiB', 'x')], [1000, 65536, 65536, 1572864, 2 ** 31]);
    for (const bad of ['lots', '-1', '', 'KiB', -5, Number.NaN, Infinity]) assert.throws(() => parseSize(bad, 'threshold'), /threshold must be a number of bytes or a size/);
  });

  it('bad arguments are clear errors before anything runs', async () => {
    await assert.rejects(limitLeaks(42 as unknown as () => void), /limitLeaks\(\) needs a function to call \(got number\)/);
    await assert.rejects(limitLeaks(() => undefined, { iterations: 2, steps: 5 }), /iterations \(2\) must be at least steps \(5\)/);
    await assert.rejects(limitLeaks(() => undefined, { steps: 2 }), /steps must be a whole number ≥ 3/);
    await assert.rejects(limitMemory(() => undefined, 'huge'), /limit must be a number of bytes or a size/);
  });
});
