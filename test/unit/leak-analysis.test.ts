/**
 * The pure leak-hunting analyses on small hand-built traces: diffs, series rule, filters,
 * cumulative statistics, option parsing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareTraces } from '../../src/analyze/compare';
import { computeCumulativeStatistics } from '../../src/analyze/cumulative';
import { filterTrace, globMatcher } from '../../src/analyze/filter';
import { findFunctionSuspects } from '../../src/analyze/moved-leaks';
import { analyzeSeries, emptyRecord, judgeGrowth, recordInterval, requiredGrowthSteps, stepwiseGrowthSteps } from '../../src/analyze/series';
import { parseDuration, parseFilter, parseSnapshotSignal } from '../../src/cli/leak-options';
import { formatStatisticDiffLine } from '../../src/report/diff-text';
import type { FrameRecord, TraceFile } from '../../src/trace/format';

/** A sample: its stack, innermost first, as `file:line:function` (a `node:` file is internal). */
interface S {
  stack: string[];
  size: number;
  ordinal: number;
}

const INTERVAL = 32768;

function makeTrace(samples: S[], session = { pid: 1, startTime: 't0' }, generatedPrefix = 'dist/'): TraceFile {
  const scripts: TraceFile['scripts'] = [];
  const frames: FrameRecord[] = [];
  const stacks = { frame: [] as number[], parent: [] as number[] };
  const stackIds = new Map<string, number>();
  const frameIds = new Map<string, number>();
  const frameOf = (spec: string): number => {
    let id = frameIds.get(spec);
    if (id !== undefined) return id;
    const [file, line, name] = spec.split(':') as [string, string, string];
    const internal = file === 'node';
    const url = internal ? `node:${name}` : `/p/${generatedPrefix}${file.replace('.ts', '.js')}`;
    let script = scripts.findIndex((s) => s.url === url);
    if (script < 0) {
      script = scripts.length;
      scripts.push({ url, path: internal ? null : `${generatedPrefix}${file.replace('.ts', '.js')}`, map: internal ? 'none' : 'external' });
    }
    // Generated lines differ per build; original positions are what must line up.
    const frame: FrameRecord = { kind: 'script', name, script, line: Number(line) + generatedPrefix.length, column: 3 };
    if (!internal) frame.original = { source: file, line: Number(line), column: 1, name: null };
    id = frames.length;
    frames.push(frame);
    frameIds.set(spec, id);
    return id;
  };
  const stackOf = (specs: string[]): number => {
    let parent = -1;
    for (const spec of [...specs].reverse()) {
      const key = `${parent}>${spec}`;
      let id = stackIds.get(key);
      if (id === undefined) {
        id = stacks.frame.length;
        stacks.frame.push(frameOf(spec));
        stacks.parent.push(parent);
        stackIds.set(key, id);
      }
      parent = id;
    }
    return parent;
  };
  const out: TraceFile['samples'] = { stack: [], size: [], count: [], ordinal: [] };
  for (const s of samples) {
    out.stack.push(stackOf(s.stack));
    out.size.push(s.size);
    out.count.push(1);
    out.ordinal.push(s.ordinal);
  }
  return {
    format: 'alloctrace-trace',
    version: 1,
    producer: 'test',
    meta: {
      nodeVersion: null, v8Version: null, platform: null, pid: session.pid, argv: [], execArgv: [], cwd: null, root: '/p',
      interval: INTERVAL, mode: 'live', startTime: session.startTime, time: null, reason: 'interval', sequence: 0,
      thread: { id: 0, name: 'main' }, flags: [], notes: [],
    },
    scripts,
    frames,
    stacks,
    samples: out,
  };
}

const LEAK = ['src/server.ts:10:record', 'src/server.ts:20:handle'];
const CACHE = ['src/cache.ts:5:remember', 'src/server.ts:20:handle'];
const INTERNAL = ['node:1:bootstrap'];

/** `n` samples of `size` bytes at `stack`, ordinals from `first`. */
function many(stack: string[], n: number, size: number, first: number): S[] {
  return Array.from({ length: n }, (_, i) => ({ stack, size, ordinal: first + i }));
}

describe('compareTraces', () => {
  it('a trace compared with itself is all zeros', () => {
    const t = makeTrace([...many(LEAK, 10, 40000, 0), ...many(CACHE, 3, 40000, 100)]);
    const diff = compareTraces(t, t, { groupBy: 'lineno' });
    assert.equal(diff.total.sizeDiff, 0);
    assert.ok(diff.diffs.length === 2 && diff.diffs.every((d) => d.sizeDiff === 0 && d.countDiff === 0 && d.status === 'same' && d.noise === 0));
  });

  it('sorts by absolute difference, marks new and gone sites, and formats +/- like tracemalloc', () => {
    const older = makeTrace([...many(LEAK, 10, 40000, 0), ...many(CACHE, 30, 40000, 100)]);
    const newer = makeTrace([...many(LEAK, 50, 40000, 0), ...many(INTERNAL, 2, 40000, 500)]);
    const diff = compareTraces(older, newer, { groupBy: 'lineno' });
    assert.deepEqual(
      diff.diffs.map((d) => [d.location.file ?? d.location.function, d.sizeDiff, d.status]),
      [
        ['src/server.ts', 40 * 40000, 'changed'],
        ['src/cache.ts', -30 * 40000, 'gone'],
        ['node:bootstrap', 2 * 40000, 'new'],
      ],
    );
    assert.equal(formatStatisticDiffLine(diff.diffs[0]!), 'src/server.ts:10 (in record): size=1953 KiB (+1563 KiB), count=~50 (~+40), average=39.1 KiB');
    assert.match(formatStatisticDiffLine(diff.diffs[1]!), /^src\/cache\.ts:5 \(in remember\): size=0 B \(-1172 KiB\), count=0 \(~-30\), gone$/);
    assert.match(formatStatisticDiffLine(diff.diffs[2]!), /, new$/);
  });

  it('lines up two builds by original location', () => {
    const tsc = makeTrace(many(LEAK, 10, 40000, 0), { pid: 1, startTime: 'a' }, 'dist/');
    const bundle = makeTrace(many(LEAK, 25, 40000, 0), { pid: 2, startTime: 'b' }, 'out/bundle/');
    const diff = compareTraces(tsc, bundle, { groupBy: 'lineno' });
    assert.equal(diff.diffs.length, 1);
    assert.equal(diff.diffs[0]!.status, 'changed');
    assert.equal(diff.diffs[0]!.sizeDiff, 15 * 40000);
    const byTraceback = compareTraces(tsc, bundle, { groupBy: 'traceback' });
    assert.equal(byTraceback.diffs.length, 1);
  });

  it('noise: within one process only new and vanished samples count; across processes all do', () => {
    const a = makeTrace(many(CACHE, 20, INTERVAL, 0));
    const b = makeTrace([...many(CACHE, 18, INTERVAL, 2), ...many(CACHE, 2, INTERVAL, 100)]);
    const same = compareTraces(a, b, { groupBy: 'lineno' }).diffs[0]!;
    const otherProcess = compareTraces(a, makeTrace(b.samples.ordinal.map((o) => ({ stack: CACHE, size: INTERVAL, ordinal: o })), { pid: 9, startTime: 'x' }), {
      groupBy: 'lineno',
    }).diffs[0]!;
    assert.equal(same.sizeDiff, 0);
    assert.ok(same.noise > 0 && otherProcess.noise > 2 * same.noise, `${same.noise} vs ${otherProcess.noise}`);
  });

  it('the same samples summed in another order are no difference, not significant growth (float rounding against zero noise)', () => {
    // One line reached from three callers: three stacks, summed in stack order, which is the
    // order each trace first met them. 0.1 + 0.2 + 0.3 and 0.3 + 0.2 + 0.1 differ in the last bit.
    const callers = ['src/a.ts:1:a', 'src/b.ts:2:b', 'src/c.ts:3:c'];
    const parts = [0.1, 0.2, 0.3].map((size, i) => ({ stack: ['src/server.ts:10:record', callers[i]!], size: 1000 + size, ordinal: i }));
    const one = makeTrace(parts);
    const other = makeTrace([...parts].reverse());
    assert.notEqual(parts.reduce((n, p) => n + p.size, 0), [...parts].reverse().reduce((n, p) => n + p.size, 0), 'the sums differ as floats');
    const diff = compareTraces(one, other, { groupBy: 'lineno' });
    assert.deepEqual(diff.diffs.map((d) => [d.sizeDiff, d.countDiff, d.noise, d.significant, d.status]), [[0, 0, 0, false, 'same']]);
    assert.equal(diff.total.sizeDiff, 0);
    const series = analyzeSeries([one, other, one, other, one, other], { groupBy: 'lineno' });
    assert.deepEqual([series.suspects.length, series.others.map((o) => [o.grewIn, o.shrankIn])], [0, [[0, 0]]]);
  });
});

describe('analyzeSeries', () => {
  it('flags a site growing at every step, not a cache that filled then stayed level', () => {
    const traces: TraceFile[] = [];
    let cacheOrdinals: number[] = [];
    let next = 10_000;
    for (let step = 0; step < 6; step++) {
      // The cache fills in the first interval, then one entry in three is replaced each step.
      if (step === 0) cacheOrdinals = Array.from({ length: 20 }, (_, i) => i + 1000);
      else if (step === 1) cacheOrdinals = [...cacheOrdinals, ...Array.from({ length: 40 }, () => next++)];
      else cacheOrdinals = [...cacheOrdinals.slice(20), ...Array.from({ length: 20 }, () => next++)];
      const leak = many(LEAK, 10 * (step + 1), INTERVAL, 0);
      const cache = cacheOrdinals.map((ordinal) => ({ stack: CACHE, size: INTERVAL, ordinal }));
      traces.push(makeTrace([...leak, ...cache]));
    }
    const series = analyzeSeries(traces, { groupBy: 'lineno' });
    assert.deepEqual(series.suspects.map((s) => [s.location.file, s.grewIn, s.steps]), [['src/server.ts', 5, 5]]);
    const cache = series.others.find((s) => s.location.file === 'src/cache.ts');
    assert.ok(cache !== undefined && cache.grewIn === 1 && !cache.suspected);
    assert.deepEqual(series.suspects[0]!.sizes, [1, 2, 3, 4, 5, 6].map((k) => 10 * k * INTERVAL));
  });

  it('a site present only between the first and last trace is reported, not a crash', () => {
    const traces = [makeTrace(many(LEAK, 1, INTERVAL, 0)), makeTrace([...many(LEAK, 2, INTERVAL, 0), ...many(CACHE, 3, INTERVAL, 50)]), makeTrace(many(LEAK, 3, INTERVAL, 0))];
    const middle = analyzeSeries(traces, { groupBy: 'lineno' }).others.find((s) => s.location.file === 'src/cache.ts');
    assert.deepEqual(middle?.sizes, [0, 3 * INTERVAL, 0]);
    assert.equal(middle?.sizeDiff, 0);
    // Neither new (it is not in the last trace) nor gone (nor in the first).
    assert.equal(middle?.status, 'same');
  });

  it('a leak whose new allocations move to its caller mid-run (inlining): the caller row, and the function with its callees', () => {
    const CALLER = ['src/server.ts:20:handle'];
    // Steps 0-2 grow in `record`, steps 3-5 grow in its caller `handle` (record's samples stay).
    const traces = [0, 1, 2, 3, 4, 5].map((step) =>
      makeTrace([...many(LEAK, 10 * (Math.min(step, 2) + 1), INTERVAL, 0), ...many(CALLER, 10 * Math.max(0, step - 2), INTERVAL, 1000)]),
    );
    const series = analyzeSeries(traces, { groupBy: 'lineno' });
    // The caller's row grows from step 3 on and never shrinks: stepwise. `record` stopped growing.
    assert.deepEqual(series.suspects.map((s) => [s.location.function, s.verdict]), [['handle', 'stepwise']]);
    assert.equal(series.totalGrewIn, 5);
    const functions = findFunctionSuspects(traces, { groupBy: 'lineno' }, series);
    assert.deepEqual(functions.map((f) => [f.site.location.function, f.site.verdict, f.site.sizeDiff]), [['handle', 'steady', 50 * INTERVAL]]);
    assert.deepEqual(functions[0]!.parts.map((p) => [p.location.function, p.sizeDiff]), [['handle', 30 * INTERVAL], ['record', 20 * INTERVAL]]);
  });

  it('a leak that grows in bursts with idle pauses between is suspected (stepwise); a slowly filling cache and churn are not', () => {
    const CHURN = ['src/render.ts:7:render', 'src/server.ts:20:handle'];
    const steps = 24;
    const traces: TraceFile[] = [];
    let leakSamples = 0;
    let next = 50_000;
    let churn: number[] = [];
    for (let step = 0; step <= steps; step++) {
      // Traffic comes in one interval of every four: the leak grows then, and only then.
      if (step > 0 && step % 4 === 1) leakSamples += 6;
      // A cache that fills over the first third, then stays level.
      const cacheSamples = Math.min(step, 8) * 3;
      // Churn: what was held is let go, and as much again is taken, every step.
      churn = Array.from({ length: step % 2 === 0 ? 12 : 4 }, () => next++);
      traces.push(
        makeTrace([
          ...many(LEAK, leakSamples, INTERVAL, 0),
          ...many(CACHE, cacheSamples, INTERVAL, 10_000),
          ...churn.map((ordinal) => ({ stack: CHURN, size: INTERVAL, ordinal })),
        ]),
      );
    }
    const series = analyzeSeries(traces, { groupBy: 'lineno' });
    assert.deepEqual(series.suspects.map((s) => [s.location.function, s.verdict, s.grewIn, s.shrankIn]), [['record', 'stepwise', 6, 0]]);
    const cache = series.others.find((s) => s.location.function === 'remember');
    assert.ok(cache !== undefined && cache.grewIn >= 2 && cache.verdict === null, JSON.stringify(cache && [cache.grewIn, cache.sizes]));
    const render = series.others.find((s) => s.location.function === 'render');
    assert.ok(render !== undefined && render.shrankIn > 0 && render.verdict === null);
    // Every function holding the leak is explained by the suspected row: none is added.
    assert.deepEqual(findFunctionSuspects(traces, { groupBy: 'lineno' }, series), []);
  });

  it('the rule on growth records: steady, stepwise, and what is neither', () => {
    const rec = (steps: number, diffs: number[]) => {
      const r = emptyRecord(steps);
      diffs.forEach((d, i) => recordInterval(r, i, { sizeDiff: d, noise: 1 }));
      return r;
    };
    const overall = { sizeDiff: 100, noise: 1 };
    assert.equal(judgeGrowth(rec(5, [10, 10, 10, 10, 10]), overall), 'steady');
    assert.equal(judgeGrowth(rec(5, [10, 0, 10, 10, 10]), overall), 'steady');
    assert.equal(judgeGrowth(rec(8, [10, 0, 0, 10, 0, 0, 10, 0]), overall), 'stepwise');
    // One jump is not a leak; nor growth that stopped in the first half; nor growth given back.
    assert.equal(judgeGrowth(rec(8, [0, 0, 0, 0, 0, 0, 40, 0]), overall), null);
    assert.equal(judgeGrowth(rec(8, [10, 10, 10, 0, 0, 0, 0, 0]), overall), null);
    assert.equal(judgeGrowth(rec(8, [10, -5, 10, -5, 10, -5, 10, 0]), overall), null);
    // Within the noise is neither growth nor shrinkage.
    assert.equal(judgeGrowth(rec(8, [10, -1, 10, -2, 10, 0, 10, 0]), overall), 'stepwise');
    assert.equal(judgeGrowth(rec(8, [10, 0, 10, 0, 10, 0, 10, 0]), { sizeDiff: 1, noise: 1 }), null);
    assert.deepEqual([3, 8, 9, 24, 25, 200].map(stepwiseGrowthSteps), [3, 3, 3, 3, 3, 3]);
  });

  it('allows one missed interval per five', () => {
    assert.deepEqual([2, 3, 4, 5, 9, 10].map(requiredGrowthSteps), [2, 3, 4, 4, 8, 8]);
  });
});

describe('filters and cumulative statistics', () => {
  const trace = makeTrace([...many(LEAK, 4, 40000, 0), ...many(CACHE, 2, 40000, 10), ...many(INTERNAL, 1, 40000, 20)]);
  const files = (t: TraceFile): string[] => [...new Set(computeCumulativeStatistics(t, { groupBy: 'filename' }).stats.map((s) => s.location.file ?? s.location.function))].sort();

  it('globs as fnmatch; a pattern without / also matches the base name', () => {
    assert.ok(globMatcher('src/*.ts')('src/a/b.ts'));
    assert.ok(!globMatcher('src/?.ts')('src/ab.ts'));
    assert.equal(filterTrace(trace, { filters: [parseFilter('cache.ts', true, false)] }).samples.stack.length, 2);
  });

  it('include by line; exclude; innermost frame vs any frame; hide internals', () => {
    assert.equal(filterTrace(trace, { filters: [parseFilter('src/server.ts:10', true, false)] }).samples.stack.length, 4);
    assert.equal(filterTrace(trace, { filters: [parseFilter('src/server.ts:20', true, false)] }).samples.stack.length, 0);
    assert.equal(filterTrace(trace, { filters: [parseFilter('src/server.ts:20', true, true)] }).samples.stack.length, 6);
    assert.equal(filterTrace(trace, { filters: [parseFilter('src/server.ts', false, true)] }).samples.stack.length, 1);
    assert.deepEqual(files(filterTrace(trace, { hideInternals: true })), ['src/cache.ts', 'src/server.ts']);
  });

  it('cumulative: a caller holds what its callees allocated, each sample once', () => {
    const stats = computeCumulativeStatistics(trace, { groupBy: 'function' }).stats;
    const handle = stats.find((s) => s.location.function === 'handle');
    assert.equal(handle?.size, 6 * 40000);
    assert.equal(stats.find((s) => s.location.function === 'record')?.size, 4 * 40000);
    const byFile = computeCumulativeStatistics(trace, { groupBy: 'filename' }).stats;
    // server.ts appears twice in the leak's stack but counts once.
    assert.equal(byFile.find((s) => s.location.file === 'src/server.ts')?.size, 6 * 40000);
  });
});

describe('leak option parsing', () => {
  it('durations, signals, filters', () => {
    assert.deepEqual(['500ms', '30s', '2m', '1.5s', '10'].map((d) => parseDuration(d, '--snapshot-every')), [500, 30_000, 120_000, 1500, 10_000]);
    assert.throws(() => parseDuration('soon', '--snapshot-every'), /--snapshot-every must be a duration/);
    assert.equal(parseSnapshotSignal('usr2'), 'SIGUSR2');
    assert.equal(parseSnapshotSignal('none'), null);
    assert.throws(() => parseSnapshotSignal('SIGUSR1'), /cannot be SIGUSR1/);
    assert.throws(() => parseSnapshotSignal('SIGNOPE'), /signal name/);
    assert.deepEqual(parseFilter('src/a.ts:42', false, true), { inclusive: false, pattern: 'src/a.ts', line: 42, allFrames: true });
  });
});
