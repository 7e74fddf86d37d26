/** Merging traces of several isolates and picking them apart again (pure). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeStatistics } from '../../../src/analyze/statistics';
import { filterTrace } from '../../../src/analyze/filter';
import { isolateTotals } from '../../../src/analyze/isolates';
import { isAlloctraceError } from '../../../src/errors';
import type { TraceFile, TraceMeta } from '../../../src/trace/format';
import { mergeTraces, selectIsolates, threadLabel } from '../../../src/trace/merge';
import { parseTrace } from '../../../src/trace/read';
import { buildTrace } from '../../helpers/trace-builder';

function trace(pid: number, thread: { id: number; name: string }, fn: string, sizes: number[], extra: Partial<TraceMeta> = {}): TraceFile {
  return buildTrace({
    meta: { pid, argv: [`${fn}.js`], interval: 1024, startTime: `2026-01-01T00:00:0${pid % 10}Z`, thread, notes: [`note of ${fn}`], ...extra },
    scripts: [{ url: `/p/${fn}.js`, path: `${fn}.js`, map: 'unresolved' }],
    frames: [{ kind: 'script', name: fn, script: 0, line: 3, column: 10 }],
    stacks: { frame: [0], parent: [-1] },
    samples: { stack: sizes.map(() => 0), size: sizes, ordinal: sizes.map((_, i) => i) },
  });
}

const main = trace(10, { id: 0, name: 'main' }, 'a', [100, 200]);
const worker = trace(10, { id: 1, name: 'hasher' }, 'b', [1000]);
const child = trace(11, { id: 0, name: 'main' }, 'c', [50]);

describe('mergeTraces', () => {
  const merged = mergeTraces([child, worker, main]);

  it('keeps every sample, labelled with its isolate, and survives a write/read round trip', () => {
    assert.deepEqual(merged.threads?.map(threadLabel), ['pid 10 main', 'pid 10 worker 1 (hasher)', 'pid 11 main']);
    assert.deepEqual(merged.samples.size, [100, 200, 1000, 50]);
    assert.deepEqual(merged.samples.thread, [0, 0, 1, 2]);
    assert.equal(merged.meta.pid, null);
    assert.deepEqual(parseTrace(JSON.stringify(merged), 'm', { producer: 't' }), merged);
  });

  it('statistics over the merge equal the sum; notes say whose they are', () => {
    const stats = computeStatistics(merged, { groupBy: 'function' });
    assert.deepEqual(stats.stats.map((s) => [s.location.function, s.size]), [['b', 1000], ['a', 300], ['c', 50]]);
    assert.ok(merged.meta.notes.includes('pid 10 worker 1 (hasher): note of b'));
    assert.deepEqual(isolateTotals(merged).map((t) => [t.label, t.size, t.command]), [['pid 10 worker 1 (hasher)', 1000, ''], ['pid 10 main', 300, 'a.js'], ['pid 11 main', 50, 'c.js']]);
  });

  it('a merged trace merges again without nesting; snapshots of one isolate are not added up', () => {
    const again = mergeTraces([merged, trace(12, { id: 0, name: 'main' }, 'd', [7])]);
    assert.equal(again.threads?.length, 4);
    assert.equal(again.samples.size.reduce((a, b) => a + b, 0), 1357);
    const later = trace(10, { id: 0, name: 'main' }, 'a', [999], { sequence: 3, startTime: main.meta.startTime });
    const series = mergeTraces([main, later]);
    assert.deepEqual(series.samples.size, [999]);
  });

  it('a filtered merge keeps each sample\'s thread label', () => {
    const filtered = filterTrace(merged, { filters: [{ inclusive: false, pattern: 'a.js' }] });
    assert.deepEqual(filtered.samples.size, [1000, 50]);
    assert.deepEqual(filtered.samples.thread, [1, 2]);
    assert.deepEqual(selectIsolates(filtered, { pid: 11 }).samples.size, [50]);
  });

  it('different intervals or modes are said, not hidden', () => {
    const odd = mergeTraces([main, trace(13, { id: 0, name: 'main' }, 'e', [1], { interval: 4096, mode: 'allocated' })]);
    assert.equal(odd.meta.interval, null);
    assert.equal(odd.meta.mode, null);
    assert.ok(odd.meta.notes.some((n) => n.includes('different intervals')));
  });
});

describe('selectIsolates', () => {
  const merged = mergeTraces([main, worker, child]);
  it('by thread name, id, main, and pid', () => {
    assert.deepEqual(selectIsolates(merged, { thread: 'hasher' }).samples.size, [1000]);
    assert.deepEqual(selectIsolates(merged, { thread: '1' }).samples.size, [1000]);
    assert.deepEqual(selectIsolates(merged, { thread: 'main' }).samples.size, [100, 200, 50]);
    assert.deepEqual(selectIsolates(merged, { pid: 11 }).samples.size, [50]);
    assert.equal(selectIsolates(merged, { pid: 10, thread: 'main' }).meta.pid, 10);
  });
  it('nothing selected is a user error listing what there is', () => {
    assert.throws(() => selectIsolates(merged, { pid: 99 }), (e: unknown) => isAlloctraceError(e) && /^no pid 99 in the trace \(it holds: pid 10 main; pid 10 worker 1 \(hasher\); pid 11 main\)$/.test(e.message));
  });
  it('a single-isolate trace: its own thread selects everything', () => {
    assert.equal(selectIsolates(main, { thread: 'main' }), main);
  });
});
