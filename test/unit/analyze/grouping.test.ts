/** The one grouping engine: statistics, cumulative statistics and diffs group alike (pure: no V8). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareTraces } from '../../../src/analyze/compare';
import { groupSites } from '../../../src/analyze/sites';
import { computeStatistics } from '../../../src/analyze/statistics';
import { GROUP_BYS } from '../../../src/analyze/stack-index';
import { buildTrace } from '../../helpers/trace-builder';

/** Two builds of one function (`dist/a.js`, `dist2/a.js`, both mapped to src/a.ts:3) called from main. */
function twoBuilds() {
  const original = (line: number) => ({ source: 'src/a.ts', line, column: 10, name: null });
  return buildTrace({
    scripts: [
      { url: '/p/dist/a.js', path: 'dist/a.js', map: 'external' },
      { url: '/p/dist2/a.js', path: 'dist2/a.js', map: 'external' },
    ],
    frames: [
      { kind: 'pseudo', name: '(root)' },
      { kind: 'script', name: 'main', script: 0, line: 1, column: 17, original: original(1) },
      { kind: 'script', name: 'grow', script: 0, line: 5, column: 14, original: original(3) },
      { kind: 'script', name: 'main', script: 1, line: 2, column: 17, original: original(1) },
      { kind: 'script', name: 'grow', script: 1, line: 9, column: 14, original: original(3) },
    ],
    // root → main → grow, once per build
    stacks: { frame: [0, 1, 2, 3, 4], parent: [-1, 0, 1, 0, 3] },
    samples: { stack: [2, 2, 4], size: [100, 300, 200] },
  });
}

describe('one grouping engine', () => {
  it('a traceback is keyed by locations: the same place in two builds is one row', () => {
    const trace = twoBuilds();
    const { stats } = computeStatistics(trace, { groupBy: 'traceback' });
    assert.equal(stats.length, 1, JSON.stringify(stats.map((s) => s.key)));
    assert.equal(stats[0]?.size, 600);
    assert.equal(stats[0]?.samples, 3);
    assert.deepEqual(stats[0]?.traceback.map((l) => [l.file, l.line]), [['src/a.ts', 3], ['src/a.ts', 1], [null, null]]);
  });

  it('statistics and sites agree on every group-by: same keys, sizes and counts', () => {
    const trace = twoBuilds();
    for (const groupBy of GROUP_BYS) {
      const stats = computeStatistics(trace, { groupBy }).stats.map((s) => [s.key, s.size, s.count]);
      const sites = [...groupSites(trace, { groupBy }).sites.values()].map((s) => [s.key, s.size, s.count]);
      assert.deepEqual(new Set(stats), new Set(sites), groupBy);
      assert.ok([...groupSites(trace, { groupBy }).sites.values()].every((s) => s.members.length === 0), 'members only when asked');
    }
  });

  it('compare of a trace with itself is all zeros, on the same keys as statistics', () => {
    const trace = twoBuilds();
    for (const groupBy of GROUP_BYS) {
      const diff = compareTraces(trace, trace, { groupBy });
      assert.ok(diff.diffs.every((d) => d.sizeDiff === 0 && d.countDiff === 0), groupBy);
      assert.deepEqual(diff.diffs.map((d) => d.size).sort(), computeStatistics(trace, { groupBy }).stats.map((s) => s.size).sort(), groupBy);
    }
  });
});
