import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSummary, median, pairedDifferences, pairedRatios, quantile, ratio, relativeError, summarize } from '../../bench/stats';

describe('bench statistics', () => {
  it('median of odd and even counts, NaN when empty', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('summarize gives median, min, max and count without reordering its input', () => {
    const values = [3, 9, 1, 4];
    assert.deepEqual(summarize(values), { median: 3.5, min: 1, max: 9, n: 4 });
    assert.deepEqual(values, [3, 9, 1, 4]);
  });

  it('ratio refuses zero and non-numbers', () => {
    assert.equal(ratio(3, 2), 1.5);
    assert.ok(Number.isNaN(ratio(1, 0)));
    assert.ok(Number.isNaN(ratio(Number.NaN, 1)));
  });

  it('paired ratios and differences pair round by round and ignore unpaired runs', () => {
    assert.deepEqual(pairedRatios([10, 22, 30, 99], [10, 20, 20]), { median: 1.1, min: 1, max: 1.5, n: 3 });
    assert.deepEqual(pairedDifferences([12, 15], [10, 10, 10]), { median: 3.5, min: 2, max: 5, n: 2 });
  });

  it('relative error and quantiles', () => {
    assert.ok(Math.abs(relativeError(110, 100) - 0.1) < 1e-12);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
    assert.equal(quantile([0, 10], 0.9), 9);
  });

  it('formats a summary with its range', () => {
    assert.equal(formatSummary({ median: 1.234, min: 1.1, max: 1.4, n: 3 }, 2), '1.23 (1.10–1.40)');
    assert.equal(formatSummary({ median: 2, min: 2, max: 2, n: 1 }, 1, ' ms'), '2.0 ms');
    assert.equal(formatSummary(summarize([]), 1), 'n/a');
  });
});
