/**
 * `resolveLines` on small real scripts and hand-built traces (no V8): own-allocation lines, call
 * lines, the candidate cap, class initializers, the parse budget and unparsable code. Frames sit
 * where V8 puts a function: at its parameter list (a class's implicit functions at `class`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_CANDIDATES, resolveLines } from '../../../src/lines/resolve-lines';
import type { FrameRecord, LineRecord, ScriptFrameRecord, TraceFile } from '../../../src/trace/format';
import { scratchDir } from '../../helpers/fixtures';
import { buildTrace } from '../../helpers/trace-builder';

let counter = 0;
/**
 * `code` as a script on disk, and a frame-maker: the function on the line holding `marker`, at its
 * parameter list's `(` (a class's implicit functions: at `marker` itself), 1-based as V8 puts it.
 */
function script(code: string): { url: string; at: (marker: string, name: string, extra?: Partial<ScriptFrameRecord>) => FrameRecord } {
  const url = path.join(scratchDir(), `lines-${++counter}.js`);
  fs.writeFileSync(url, code);
  const lines = code.split('\n');
  return {
    url,
    at: (marker, name, extra = {}) => {
      const line = lines.findIndex((l) => l.includes(marker));
      assert.ok(line >= 0, marker);
      const text = lines[line]!;
      const start = text.indexOf(marker);
      const column = name.startsWith('<') ? start : text.indexOf('(', start);
      return { kind: 'script', name, script: 0, line: line + 1, column: column + 1, ...extra };
    },
  };
}

/** A trace of one script whose frames form one chain, outermost first, sampled at the innermost. */
function chainTrace(url: string, frames: FrameRecord[]): TraceFile {
  return buildTrace({
    scripts: [{ url, path: path.basename(url), map: 'none' }],
    frames: [{ kind: 'pseudo', name: '(root)' }, ...frames],
    stacks: { frame: [0, ...frames.map((_, i) => i + 1)], parent: [-1, ...frames.map((_, i) => i)] },
    samples: { stack: [frames.length], size: [1000] },
  });
}

const lineOf = (record: LineRecord | null | undefined): number | number[] | null =>
  record == null ? null : 'exact' in record ? record.exact.line : record.candidates.map((c) => c.line);

function selfOf(trace: TraceFile, frame: number): LineRecord | undefined {
  return (trace.frames[frame] as ScriptFrameRecord).self;
}

describe('resolveLines', () => {
  it("a function's own allocations on one line: that line, exact", () => {
    const s = script('function grow(n) {\n  const x = 1;\n  return new Array(n).fill(x);\n}\ngrow(3);\n');
    const { trace, warnings } = resolveLines(chainTrace(s.url, [s.at('function grow', 'grow')]), { mapper: null });
    assert.deepEqual(warnings, []);
    assert.equal(trace.scripts[0]?.code, 'parsed');
    assert.equal(lineOf(selfOf(trace, 1)), 3);
  });

  it('allocations on two lines: both, as candidates, in line order', () => {
    const s = script('function grow(n) {\n  const a = [n];\n  const b = { n };\n  return [a, b];\n}\n');
    const { trace } = resolveLines(chainTrace(s.url, [s.at('function grow', 'grow')]), { mapper: null });
    assert.deepEqual(lineOf(selfOf(trace, 1)), [2, 3, 4]);
  });

  it(`more than ${MAX_CANDIDATES} lines tell nothing: no record, the function's start stays`, () => {
    const body = Array.from({ length: MAX_CANDIDATES + 1 }, (_, i) => `  const v${i} = [${i}];`).join('\n');
    const s = script(`function grow() {\n${body}\n}\n`);
    const { trace } = resolveLines(chainTrace(s.url, [s.at('function grow', 'grow')]), { mapper: null });
    assert.equal(selfOf(trace, 1), undefined);
  });

  it("a call line: the caller's one call to the callee's name; two calls: candidates", () => {
    const s = script('function leaf() { return [1]; }\nfunction once() {\n  const x = 1;\n  return leaf(x);\n}\nfunction twice() {\n  leaf();\n  return leaf();\n}\n');
    const one = resolveLines(chainTrace(s.url, [s.at('function once', 'once'), s.at('function leaf', 'leaf')]), { mapper: null });
    assert.equal(lineOf(one.trace.stacks.call?.[2]), 4);
    const two = resolveLines(chainTrace(s.url, [s.at('function twice', 'twice'), s.at('function leaf', 'leaf')]), { mapper: null });
    assert.deepEqual(lineOf(two.trace.stacks.call?.[2]), [7, 8]);
    assert.equal(lineOf(two.trace.stacks.call?.[1]), null, 'the outermost frame has no caller');
  });

  it("a class's instance initializer: the field's line", () => {
    const s = script('class Box {\n  size = 1;\n  items = new Array(10);\n}\nnew Box();\n');
    const { trace } = resolveLines(chainTrace(s.url, [s.at('class Box', '<instance_members_initializer>')]), { mapper: null });
    assert.equal(lineOf(selfOf(trace, 1)), 3);
  });

  it('over the parse budget: the script that accounts for less memory is skipped, and a warning says so', () => {
    const big = script(`function a() { return [1]; }\n// ${'x'.repeat(200)}\n`);
    const small = script('function b() { return [2]; }\n');
    const trace = buildTrace({
      scripts: [
        { url: big.url, path: 'big.js', map: 'none' },
        { url: small.url, path: 'small.js', map: 'none' },
      ],
      frames: [{ kind: 'pseudo', name: '(root)' }, big.at('function a', 'a'), { ...(small.at('function b', 'b') as ScriptFrameRecord), script: 1 }],
      stacks: { frame: [0, 1, 2], parent: [-1, 0, 0] },
      samples: { stack: [1, 2], size: [5000, 10] },
    });
    const { trace: out, warnings } = resolveLines(trace, { mapper: null, parseBudget: 100 });
    assert.deepEqual(out.scripts.map((s) => s.code), ['parsed', 'skipped']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^lines: 1 script\(s\) that account for the least memory were not parsed \(over the 100 B parse budget\)/);
  });

  it('unparsable code: the status and the parser\'s reason, one warning; a resolved trace passes through untouched', () => {
    const s = script('function broken( {\n');
    const first = resolveLines(chainTrace(s.url, [{ kind: 'script', name: 'broken', script: 0, line: 1, column: 16 }]), { mapper: null });
    assert.equal(first.trace.scripts[0]?.code, 'unparsable');
    assert.ok(typeof first.trace.scripts[0]?.codeError === 'string');
    assert.equal(first.warnings.length, 1);
    assert.equal(resolveLines(first.trace, { mapper: null }).trace, first.trace);
  });
});
