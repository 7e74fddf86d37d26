/**
 * Refining a function's location with a proven line: original and generated coordinates are
 * never mixed, and a bundle's top level takes the file its proven lines are in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refineLocation } from '../../src/analyze/line-location';
import { locationOfFrame } from '../../src/analyze/location';
import type { CodePoint, FrameRecord, TraceFile } from '../../src/trace/format';

function traceWith(frames: FrameRecord[]): TraceFile {
  return {
    format: 'alloctrace-trace',
    version: 1,
    producer: 'test',
    meta: {
      nodeVersion: null, v8Version: null, platform: null, pid: null, argv: [], execArgv: [], cwd: null, root: null,
      interval: 32768, mode: 'live', startTime: null, time: null, reason: 'exit', sequence: 0, thread: { id: 0, name: 'main' }, flags: [], notes: [],
    },
    scripts: [{ url: '/p/dist/app.js', path: 'dist/app.js', map: 'external' }],
    frames,
    stacks: { frame: [0], parent: [-1] },
    samples: { stack: [], size: [], count: [], ordinal: [] },
  };
}

const mapped = (line: number, source = 'src/a.ts'): CodePoint => ({ line: 1, column: line, original: { source, line, column: 3, name: null } });

describe('refineLocation', () => {
  const fn: FrameRecord = { kind: 'script', name: 'f', script: 0, line: 1, column: 10, original: { source: 'src/a.ts', line: 40, column: 17, name: null } };
  const top: FrameRecord = { kind: 'script', name: '', script: 0, line: 1, column: 1, topLevel: true };

  it('takes an exact original line, keeping the generated one beside it', () => {
    const trace = traceWith([fn]);
    const refined = refineLocation(trace, 0, locationOfFrame(trace, fn), { exact: mapped(44) });
    assert.deepEqual([refined.file, refined.line, refined.precision, refined.function], ['src/a.ts', 44, 'exact', 'f']);
    assert.deepEqual(refined.generated, { file: 'dist/app.js', line: 1, column: 44 });
  });

  it('lists candidates of one file; keeps the function when they are unmapped or in another file', () => {
    const trace = traceWith([fn]);
    const base = locationOfFrame(trace, fn);
    const candidates = refineLocation(trace, 0, base, { candidates: [mapped(44), mapped(47)] });
    assert.deepEqual([candidates.line, candidates.precision, candidates.candidates], [40, 'candidates', [44, 47]]);
    assert.equal(refineLocation(trace, 0, base, { exact: { line: 1, column: 44 } }), base);
    assert.equal(refineLocation(trace, 0, base, { candidates: [mapped(44), mapped(2, 'src/b.ts')] }), base);
  });

  it("names the original file of a bundle's top-level line", () => {
    const trace = traceWith([top]);
    const base = locationOfFrame(trace, top);
    assert.equal(base.precision, 'file');
    const refined = refineLocation(trace, 0, base, { exact: mapped(4, 'src/main.ts') });
    assert.deepEqual([refined.file, refined.line, refined.precision, refined.function], ['src/main.ts', 4, 'exact', '(top level)']);
  });
});
