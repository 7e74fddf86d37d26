/**
 * Calls V8 charged to a caller that does not make them (a callee inlined into it made them):
 * pinned to the one line every path seen in the same trace ends at, in the function whose code
 * holds it; several ends, or a link not proven exact, leave no record.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { locationAt } from '../../src/analyze/line-location';
import { resolveLines } from '../../src/lines/resolve-lines';
import type { FrameRecord, LineRecord, TraceFile } from '../../src/trace/format';

const CODE = [
  'function render(items) {', // 1
  "  return items.map(String).join('|');", // 2
  '}', // 3
  'function page(i) {', // 4
  '  return render([i, i + 1]);', // 5
  '}', // 6
  'function other(i) {', // 7
  "  return [i].join('-');", // 8
  '}', // 9
  'function serve(i) {', // 10
  '  return page(i);', // 11
  '}', // 12
  'function both(i) {', // 13
  '  return page(i) + other(i);', // 14
  '}', // 15
  'function mixed(i) {', // 16
  "  const a = [i].join(',');", // 17
  '  return a + page(i);', // 18
  '}', // 19
].join('\n');

// Frames: V8 places a function at its parameter list's `(` (1-based lines and columns here).
const FRAMES: FrameRecord[] = [
  { kind: 'script', name: 'render', script: 0, line: 1, column: 16 }, // 0
  { kind: 'script', name: 'page', script: 0, line: 4, column: 14 }, // 1
  { kind: 'script', name: 'serve', script: 0, line: 10, column: 15 }, // 2
  { kind: 'builtin', name: 'join' }, // 3
  { kind: 'script', name: 'other', script: 0, line: 7, column: 15 }, // 4
  { kind: 'script', name: 'both', script: 0, line: 13, column: 14 }, // 5
  { kind: 'script', name: 'mixed', script: 0, line: 16, column: 15 }, // 6
];

/** Stacks as [frame, parent] rows (parent: stack node index); every innermost node sampled. */
function traceOf(stacks: Array<[number, number]>, flags: string[] = []): TraceFile {
  const frame = stacks.map(([f]) => f);
  const parent = stacks.map(([, p]) => p);
  const leaves = stacks.map((_, i) => i).filter((i) => !parent.includes(i));
  return {
    format: 'alloctrace-trace',
    version: 1,
    producer: 'test',
    meta: {
      nodeVersion: null, v8Version: null, platform: null, pid: null, argv: [], execArgv: [], cwd: null, root: null,
      interval: 32768, mode: 'live', startTime: null, time: null, reason: 'exit', sequence: 0, thread: { id: 0, name: 'main' }, flags, notes: [],
    },
    scripts: [{ url: '/p/app.js', path: 'app.js', map: 'none', memoryCode: CODE }],
    frames: FRAMES,
    stacks: { frame, parent },
    samples: { stack: leaves, size: leaves.map(() => 40000), count: leaves.map(() => 1), ordinal: leaves.map((_, i) => i) },
  };
}

function callAt(trace: TraceFile, node: number): LineRecord | null {
  return resolveLines(trace, { mapper: null }).trace.stacks.call?.[node] ?? null;
}

describe('calls made by inlined functions', () => {
  it("pins serve → join (page and render inlined) to render's join line, one row with render's own", () => {
    // serve → page → render → join (before inlining), serve → join (after).
    const trace = traceOf([[2, -1], [1, 0], [0, 1], [3, 2], [3, 0]]);
    const resolved = resolveLines(trace, { mapper: null }).trace;
    assert.deepEqual(resolved.stacks.call?.[4], { exact: { line: 2, column: 28 }, in: 0 });
    const inlined = locationAt(resolved, 0, 4);
    const direct = locationAt(resolved, 2, 3);
    assert.deepEqual([inlined.function, inlined.line, inlined.precision], ['render', 2, 'exact']);
    assert.deepEqual([direct.function, direct.line, direct.precision], ['render', 2, 'exact']);
  });

  it('leaves no record when two inlined paths reach the callee from different lines', () => {
    // both → page → render → join, both → other → join, and both → join after inlining.
    const trace = traceOf([[5, -1], [1, 0], [0, 1], [3, 2], [4, 0], [3, 4], [3, 0]]);
    assert.equal(callAt(trace, 6), null);
  });

  it('leaves no record when no path to the callee was seen before inlining', () => {
    assert.equal(callAt(traceOf([[2, -1], [3, 0]]), 1), null);
  });

  it("demotes a caller's own exact call when a function it calls reaches the same callee (inlining hides which)", () => {
    // mixed → join (its own line 17, or page's render inlined into it), mixed → page → render → join.
    const stacks: Array<[number, number]> = [[6, -1], [3, 0], [1, 0], [0, 2], [3, 3]];
    const demoted = callAt(traceOf(stacks), 1);
    assert.ok(demoted !== null && 'candidates' in demoted, JSON.stringify(demoted));
    assert.deepEqual(demoted.candidates.map((p) => p.line), [17, 18]);
    // Without inlining, V8 keeps every frame: the own call is proven.
    const kept = callAt(traceOf(stacks, ['no-inlining']), 1);
    assert.ok(kept !== null && 'exact' in kept);
    assert.equal(kept.exact.line, 17);
  });
});
