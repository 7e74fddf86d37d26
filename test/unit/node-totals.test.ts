import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { candidateCounts, countsFromNodeTotal, groupTotal } from '../../src/trace/node-totals';
import { estimateCount, scaledCount } from '../../src/trace/scaling';

const I = 32768;
/** What V8 reports for one node holding `k` live samples of each object size. */
function v8Node(objects: Array<{ size: number; k: number }>): { sizes: number[]; selfSize: number } {
  const sizes: number[] = [];
  let selfSize = 0;
  for (const { size, k } of objects) {
    for (let i = 0; i < k; i++) sizes.push(size * scaledCount(size, I));
    selfSize += groupTotal(size, k, I);
  }
  return { sizes, selfSize };
}

describe('object sizes from the node total', () => {
  it('lists every count that fits a product, the rule first', () => {
    // 32064-byte arrays are reported as 64128: one 64128-byte object fits too.
    const counts = candidateCounts(64128, I);
    assert.equal(counts[0], estimateCount(64128, I));
    assert.deepEqual([...counts].sort((a, b) => a - b), [1, 2]);
  });

  it('recovers sizes the rule gets wrong: 32 KiB arrays and 8 KiB strings', () => {
    for (const size of [32064, 8200, 16064]) {
      const { sizes, selfSize } = v8Node([{ size, k: 300 }]);
      const product = size * scaledCount(size, I);
      assert.notEqual(product / estimateCount(product, I), size, `the rule alone already gets ${size}`);
      const counts = countsFromNodeTotal(sizes, selfSize, I);
      assert.equal(counts?.get(product), scaledCount(size, I), `size ${size}`);
    }
  });

  it('solves nodes holding several object sizes', () => {
    const { sizes, selfSize } = v8Node([{ size: 32064, k: 40 }, { size: 8200, k: 25 }, { size: 100_000, k: 7 }]);
    const counts = countsFromNodeTotal(sizes, selfSize, I);
    assert.equal(counts?.get(32064 * 2), 2);
    assert.equal(counts?.get(8200 * 5), 5);
    assert.equal(counts?.get(100_000), 1);
  });

  it('gives up (null) when no combination reproduces the total', () => {
    const { sizes, selfSize } = v8Node([{ size: 32064, k: 10 }]);
    assert.equal(countsFromNodeTotal(sizes, selfSize + 1, I), null);
  });
});
