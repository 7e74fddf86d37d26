import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateCount, estimateSample, sampleWeight, scaledCount } from '../../src/trace/scaling';

describe('V8 sample scaling', () => {
  it('matches the two cases checked against V8 on Node 20', () => {
    // An 80-byte object at 32 KiB shows as 32800; a 32016-byte array as 64032.
    assert.equal(80 * scaledCount(80, 32768), 32800);
    assert.equal(32016 * scaledCount(32016, 32768), 64032);
  });

  it('inverts V8 scaling exactly where it is unambiguous: objects over 2.2 × interval', () => {
    for (const interval of [4096, 32768, 524288]) {
      for (let s = Math.ceil((2.25 * interval) / 8) * 8; s < 256 * 1024 * 1024; s = Math.ceil((s * 1.37) / 8) * 8) {
        assert.equal(estimateCount(s * scaledCount(s, interval), interval), scaledCount(s, interval), `s=${s} interval=${interval}`);
      }
    }
  });

  it('always picks a pair (s, n) that reproduces the reported size', () => {
    for (const interval of [4096, 32768, 524288]) {
      for (let s = 16; s < 8 * interval; s = Math.ceil((s * 1.11) / 8) * 8) {
        const v8Size = s * scaledCount(s, interval);
        const n = estimateCount(v8Size, interval);
        assert.equal(v8Size % n, 0, `s=${s}`);
        assert.equal(scaledCount(v8Size / n, interval), n, `s=${s} interval=${interval}: inconsistent pick`);
      }
    }
  });

  it('keeps byte estimates of small objects within 5 % whichever pair fits', () => {
    const interval = 32768;
    for (let s = 16; s < interval / 10; s += 8) {
      const v8Size = s * scaledCount(s, interval);
      const truth = s * sampleWeight(s, interval);
      assert.ok(Math.abs(estimateSample(v8Size, interval).size / truth - 1) < 0.05, `s=${s}`);
      const n = estimateCount(v8Size, interval);
      const ratio = n / scaledCount(s, interval);
      // Counts of tiny objects are inherently ambiguous (32800 B at 32 KiB is 1025 × 32 B, 820 × 40 B,
      // 410 × 80 B, 50 × 656 B…). The rule takes the smallest object that fits: never fewer
      // allocations than the truth, never more than 16-byte objects would give.
      assert.ok(ratio >= 1 && n <= v8Size / 16, `s=${s}: count off by ${ratio}`);
    }
  });

  it('weights samples without V8 rounding: 64 KiB objects at 32 KiB count 1.156 each', () => {
    const w = sampleWeight(65536, 32768);
    assert.ok(Math.abs(w - 1 / (1 - Math.exp(-2))) < 1e-12);
    const est = estimateSample(65536 * scaledCount(65536, 32768), 32768);
    assert.ok(Math.abs(est.count - w) < 1e-9);
    assert.ok(Math.abs(est.size - 65536 * w) < 1e-6);
  });

  it('is an unbiased estimator: simulated Poisson sampling recovers the planted bytes', () => {
    // Deterministic PRNG: the same draw every run, so this checks the formula, not luck.
    let seed = 12345;
    const random = (): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const interval = 32768;
    // Sizes outside the ambiguous band (about 0.3 to 2.2 × interval): see estimateCount.
    for (const objectSize of [64, 4000, 80016, 200000]) {
      const objects = Math.round(50e6 / objectSize);
      let estimate = 0;
      const p = 1 - Math.exp(-objectSize / interval);
      for (let i = 0; i < objects; i++) if (random() < p) estimate += estimateSample(objectSize * scaledCount(objectSize, interval), interval).size;
      const truth = objects * objectSize;
      assert.ok(Math.abs(estimate / truth - 1) < 0.06, `objectSize=${objectSize}: ${estimate} vs ${truth}`);
    }
  });

  it('never returns less than one allocation', () => {
    assert.equal(estimateCount(0, 32768), 1);
    assert.ok(estimateCount(5, 32768) >= 1);
    assert.ok(estimateCount(1e9, 32768) >= 1);
  });
});
