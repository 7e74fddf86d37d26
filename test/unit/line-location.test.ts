/**
 * Refining a function's location with a proven line: original and generated coordinates are
 * never mixed, and a bundle's top level takes the file its proven lines are in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactLinesHint, refineLocation } from '../../src/analyze/line-location';
import { locationOfFrame, type Location } from '../../src/analyze/location';
import type { CodePoint, FrameRecord, TraceFile } from '../../src/trace/format';
import { buildTrace } from '../helpers/trace-builder';

function traceWith(frames: FrameRecord[]): TraceFile {
  return buildTrace({
    meta: { pid: null, cwd: null, root: null },
    scripts: [{ url: '/p/dist/app.js', path: 'dist/app.js', map: 'external' }],
    frames,
    stacks: { frame: [0], parent: [-1] },
    samples: { stack: [], size: [] },
  });
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

describe('exactLinesHint', () => {
  const at = (precision: Location['precision'], origin: Location['origin'] = 'user'): Location => ({ file: 'src/a.ts', line: 3, column: 1, function: 'f', precision, origin });
  const rows = (unproven: number, exact: number, dependency = 0) => [
    { location: at('function'), size: unproven / 2 },
    { location: at('candidates'), size: unproven / 2 },
    { location: at('exact'), size: exact },
    { location: at('function', 'dependency'), size: dependency },
  ];

  it('speaks when most bytes are on user rows without a proven line, with the costs', () => {
    const hint = exactLinesHint(traceWith([]), 'lineno', rows(60, 40), 100);
    assert.match(hint ?? '', /^60 % of the bytes .*--exact-lines` pins each allocation .*\+34 … \+314 % CPU.*`--no-inlining`/);
  });

  it('stays silent below half, for dependencies (not rewritten), without lines, or after --exact-lines', () => {
    assert.equal(exactLinesHint(traceWith([]), 'lineno', rows(49, 51), 100), null);
    assert.equal(exactLinesHint(traceWith([]), 'lineno', rows(10, 30, 60), 100), null);
    assert.equal(exactLinesHint(traceWith([]), 'function', rows(90, 10), 100), null);
    const exact = traceWith([]);
    exact.meta.flags = ['exact-lines'];
    assert.equal(exactLinesHint(exact, 'traceback', rows(90, 10), 100), null);
    const noInlining = traceWith([]);
    noInlining.meta.flags = ['no-inlining'];
    assert.doesNotMatch(exactLinesHint(noInlining, 'lineno', rows(90, 10), 100) ?? '', /--no-inlining/);
  });
});
