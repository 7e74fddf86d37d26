/** Grouping and attribution over a hand-built trace (pure: no V8). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeStatistics } from '../../../src/analyze/statistics';
import { buildStatisticsReport } from '../../../src/analyze/report';
import { renderStatisticsText } from '../../../src/report/text';
import { statisticsToJson } from '../../../src/report/json';
import type { FrameRecord, TraceFile } from '../../../src/trace/format';
import { buildTrace } from '../../helpers/trace-builder';

/** main.ts top level → handler (a.ts:10) → { repeat builtin | fill (b.ts:3) }, plus node internals. */
function sampleTrace(): TraceFile {
  const frames: FrameRecord[] = [
    { kind: 'script', name: '', script: 0, line: 1, column: 1, topLevel: true, original: { source: 'src/main.ts', line: 1, column: 1, name: null } },
    { kind: 'script', name: 'handler', script: 1, line: 10, column: 17, original: { source: 'src/a.ts', line: 12, column: 17, name: null } },
    { kind: 'builtin', name: 'repeat' },
    { kind: 'script', name: 'fill', script: 2, line: 3, column: 14 },
    { kind: 'script', name: 'Module._compile', script: 3, line: 1483, column: 37 },
    { kind: 'pseudo', name: '(V8 API)' },
  ];
  return buildTrace({
    meta: { nodeVersion: 'v20.0.0' },
    scripts: [
      { url: '/p/dist/main.js', path: 'dist/main.js', map: 'external' },
      { url: '/p/dist/a.js', path: 'dist/a.js', map: 'external' },
      { url: '/p/node_modules/dep/b.js', path: 'node_modules/dep/b.js', map: 'none' },
      { url: 'node:internal/modules/cjs/loader', path: null, map: 'none' },
    ],
    frames,
    // 0: compile; 1: main; 2: handler; 3: repeat; 4: fill; 5: (V8 API) under compile
    stacks: { frame: [4, 0, 1, 2, 3, 5], parent: [-1, 0, 1, 2, 2, 0] },
    samples: {
      stack: [3, 3, 4, 5, 2],
      size: [1000, 3000, 5000, 100, 400],
      count: [10, 30, 1, 1, 2],
      ordinal: [1, 2, 3, 4, 5],
    },
  });
}

describe('computeStatistics', () => {
  const trace = sampleTrace();

  it('lineno: builtins fold into the caller, named as via; sorted by size', () => {
    const { stats, total } = computeStatistics(trace, { groupBy: 'lineno' });
    assert.deepEqual(total, { size: 9500, count: 44, samples: 5 });
    assert.deepEqual(
      stats.map((s) => [s.location.file, s.location.line, s.location.function, s.via, s.size, s.count, s.samples]),
      [
        ['node_modules/dep/b.js', 3, 'fill', null, 5000, 1, 1],
        ['src/a.ts', 12, 'handler', 'repeat', 4000, 40, 2],
        ['src/a.ts', 12, 'handler', null, 400, 2, 1],
        ['node:internal/modules/cjs/loader', 1483, 'Module._compile', null, 100, 1, 1],
      ],
    );
    assert.equal(stats[1]?.location.precision, 'function');
    assert.deepEqual(stats[1]?.traceback.map((l) => l.function), ['repeat', 'handler', '(top level)', 'Module._compile']);
  });

  it('--user-code skips node_modules and node internals', () => {
    const { stats } = computeStatistics(trace, { groupBy: 'lineno', userCode: true });
    assert.deepEqual(stats.map((s) => [s.location.file, s.via, s.size]), [
      ['src/a.ts', 'fill', 5000],
      ['src/a.ts', 'repeat', 4000],
      ['src/a.ts', null, 400],
      ['node:internal/modules/cjs/loader', null, 100],
    ]);
  });

  it('filename and function group-bys', () => {
    const byFile = computeStatistics(trace, { groupBy: 'filename' }).stats.map((s) => [s.location.file, s.location.line, s.size]);
    assert.deepEqual(byFile, [['node_modules/dep/b.js', null, 5000], ['src/a.ts', null, 4400], ['node:internal/modules/cjs/loader', null, 100]]);
    const byFunction = computeStatistics(trace, { groupBy: 'function' }).stats.map((s) => [s.location.function, s.size]);
    assert.deepEqual(byFunction, [['fill', 5000], ['handler', 4400], ['Module._compile', 100]]);
  });

  it('traceback groups whole stacks', () => {
    const { stats } = computeStatistics(trace, { groupBy: 'traceback' });
    assert.equal(stats.length, 4);
    assert.deepEqual(stats.map((s) => s.size), [5000, 4000, 400, 100]);
  });

  it('renders tracemalloc lines and a JSON shape with precision', () => {
    const report = buildStatisticsReport(trace, { groupBy: 'lineno', top: 2 });
    const text = renderStatisticsText(report);
    assert.match(text, /^Top 2 lines \(live memory at exit; sampled every 32 KiB; 5 samples, est\. 9500 B\)$/m);
    assert.match(text, /^node_modules\/dep\/b\.js:3 \(in fill\): size=5000 B, count=~1, average=5000 B$/m);
    assert.match(text, /^src\/a\.ts:12 \(in handler, via repeat\): size=4000 B, count=~40, average=100 B$/m);
    assert.match(text, /^2 other lines: size=500 B, count=~3$/m);
    const json = statisticsToJson(report);
    assert.equal(json.stats.length, 2);
    assert.equal(json.stats[1]?.precision, 'function');
    assert.deepEqual(json.stats[1]?.generated, { file: 'dist/a.js', line: 10, column: 17 });
    assert.deepEqual(json.omitted, { rows: 2, size: 500, count: 3 });
  });
});

describe('computeStatistics over many samples per stack', () => {
  it('sums every sample of a stack, and ties for the heaviest sample go to the earlier one', () => {
    const frames: FrameRecord[] = [
      { kind: 'script', name: 'main', script: 0, line: 1, column: 10 },
      { kind: 'script', name: 'a', script: 0, line: 5, column: 11 },
      { kind: 'script', name: 'b', script: 0, line: 9, column: 11 },
    ];
    // Stacks 1 (main→a) and 2 (main→b) both group under file dist/x.js.
    const trace: TraceFile = {
      format: 'alloctrace-trace',
      version: 1,
      producer: 'test',
      meta: {
        nodeVersion: null, v8Version: null, platform: null, pid: null, argv: [], execArgv: [], cwd: null, root: '/p',
        interval: 32768, mode: 'live', startTime: null, time: null, reason: 'exit', sequence: 0, thread: { id: 0, name: 'main' }, flags: [], notes: [],
      },
      scripts: [{ url: '/p/dist/x.js', path: 'dist/x.js', map: 'none' }],
      frames,
      stacks: { frame: [0, 1, 2], parent: [-1, 0, 0] },
      samples: { stack: [1, 2, 2, 1, 2, 1], size: [10, 70, 5, 70, 1, 3], count: [1, 2, 3, 4, 5, 6], ordinal: [1, 2, 3, 4, 5, 6] },
    };
    const byFile = computeStatistics(trace, { groupBy: 'filename' });
    assert.equal(byFile.stats.length, 1);
    const [row] = byFile.stats;
    assert.deepEqual([row?.size, row?.count, row?.samples], [159, 21, 6]);
    // 70 bytes twice: sample 1 (stack 2, function b) comes before sample 3 (stack 1).
    assert.deepEqual(row?.traceback.map((l) => l.function), ['b', 'main']);
    const byFunction = computeStatistics(trace, { groupBy: 'function' });
    assert.deepEqual(byFunction.stats.map((s) => [s.location.function, s.size, s.count, s.samples]), [['a', 83, 11, 3], ['b', 76, 10, 3]]);
  });
});
