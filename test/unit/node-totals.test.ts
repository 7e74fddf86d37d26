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
  it('lists every count that fits a product', () => {
    // 32064-byte arrays are reported as 64128: one 64128-byte object fits too.
    assert.deepEqual(candidateCounts(64128, I), [1, 2]);
    // 8-byte aligned sizes only: 40000 B is 1 × 40000, 2 × 20000, 4 × 10000 or 5 × 8000 (not 3).
    assert.deepEqual(candidateCounts(40000, I, 8), [1, 2, 4, 5]);
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

  it('leaves a size undecided when no combination reproduces the total', () => {
    const { sizes, selfSize } = v8Node([{ size: 32064, k: 10 }]);
    assert.equal(countsFromNodeTotal(sizes, selfSize + 1, I).get(32064 * 2), undefined);
  });

  it('decides sizes sampled twice among many seen once (2000 distinct array sizes)', () => {
    // Sizes seen once add their product whatever their n: they neither block nor decide.
    // Distinct sizes can share a product (16000 × 3 = 24000 × 2): such pairs are left out here.
    const seen = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const size = 8016 + 8 * 3 * i;
      const product = size * scaledCount(size, I);
      seen.set(product, seen.has(product) ? -1 : size);
    }
    const objects = [...seen]
      .filter(([product, size]) => size > 0 && product !== 16016 * 3 && product !== 24016 * 2)
      .map(([, size]) => ({ size, k: 1 }));
    assert.ok(objects.length > 100, `${objects.length} sizes`);
    objects.push({ size: 16016, k: 3 }, { size: 24016, k: 2 });
    const { sizes, selfSize } = v8Node(objects);
    const counts = countsFromNodeTotal(sizes, selfSize, I, (v, i) => candidateCounts(v, i, 8));
    assert.equal(counts.get(16016 * scaledCount(16016, I)), scaledCount(16016, I));
    assert.equal(counts.get(24016 * scaledCount(24016, I)), scaledCount(24016, I));
  });
});
