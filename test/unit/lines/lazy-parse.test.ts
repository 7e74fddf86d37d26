/**
 * The parse that keeps only the bodies of the functions asked about (`ScriptCode.parse` with
 * positions, for scripts of `LAZY_PARSE_BYTES` and more): for every position asked, the same
 * function, name and own code as the whole parse, with braces in strings, templates, regular
 * expressions and comments in the skipped bodies. Real acorn on generated code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseFunction } from '../../../src/lines/constructs';
import { LAZY_PARSE_BYTES, ScriptCode, lineStartsOf, type AstNode, type Position } from '../../../src/lines/script-code';

/** One module-level block of varied code; `i` makes every name unique. */
function block(i: number): string {
  return [
    `function plain${i}(a, b = { x: '}' }) {`,
    `  const s = \`{\${a + '{'}\` + "}" + '{'; // } a brace in a comment`,
    `  const re = /\\{[}]+/g; /* { */`,
    `  const inner = (x) => { return { value: x, list: [x, \`\${x}\`] }; };`,
    `  return [s, re, inner(b), new Map()];`,
    `}`,
    `const arrow${i} = async (x) => {`,
    `  for (const k of [1, 2]) { if (k) { x.push({ k }); } }`,
    `  return x;`,
    `};`,
    `class Shape${i} {`,
    `  field = [1, 2];`,
    `  static make() { return new Shape${i}(); }`,
    `  get area() { return { w: 1 }; }`,
    `  *items() { yield { a: 1 }; }`,
    `}`,
    `const table${i} = { method(y) { return { y, z: \`}\` }; }, other: function (z) { return [z]; } };`,
    `label${i}: { if (plain${i}) { void 0; } }`,
  ].join('\n');
}

function program(): string {
  const parts: string[] = [];
  for (let i = 0; parts.join('\n').length < LAZY_PARSE_BYTES + 10_000; i++) parts.push(block(i));
  return parts.join('\n');
}

/** Where V8 puts functions: each `(` that opens a parameter list, as 1-based positions. */
function functionPositions(text: string): Position[] {
  const starts = lineStartsOf(text);
  const full = ScriptCode.parse(text);
  assert.ok(full.ok);
  const out: Position[] = [];
  for (let offset = text.indexOf('('); offset >= 0; offset = text.indexOf('(', offset + 1)) {
    if (full.code.functionAt(offset) === null) continue;
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
    out.push({ line: line + 1, column: offset - starts[line]! + 1 });
  }
  return out;
}

describe('parse keeping only the bodies asked about', () => {
  const text = program();
  const all = functionPositions(text);

  it('finds the same function, name and own code for every position asked', () => {
    const full = ScriptCode.parse(text);
    assert.ok(full.ok);
    // Every seventh function: the others (and their bodies) are skipped.
    const asked = all.filter((_, i) => i % 7 === 3);
    assert.ok(asked.length > 100, `${asked.length} positions`);
    const lazy = ScriptCode.parse(text, asked);
    assert.ok(lazy.ok);
    assert.equal(lazy.code.partial, true);
    for (const p of asked) {
      const offset = full.code.offsetOf(p.line, p.column)!;
      const a: AstNode | null = full.code.functionAt(offset);
      const b: AstNode | null = lazy.code.functionAt(offset);
      assert.ok(a !== null && b !== null, `${p.line}:${p.column}`);
      assert.deepEqual([b.type, b.start, b.end], [a.type, a.start, a.end]);
      assert.equal(lazy.code.nameNodeOf(b)?.start, full.code.nameNodeOf(a)?.start);
      const own = (code: ReturnType<typeof analyseFunction>): unknown => ({ allocations: code.allocations, calls: code.calls.map((c) => [c.names, c.offset]) });
      assert.deepEqual(own(analyseFunction(b)), own(analyseFunction(a)));
    }
  });

  it('skips what was not asked: an unasked body is empty', () => {
    const asked = all.slice(0, 1);
    const lazy = ScriptCode.parse(text, asked);
    assert.ok(lazy.ok);
    const last = all[all.length - 1]!;
    const fn = lazy.code.functionAt(lazy.code.offsetOf(last.line, last.column)!);
    assert.ok(fn !== null);
    const body = fn['body'] as { type: string; body?: unknown[] };
    assert.equal(body.type, 'BlockStatement');
    assert.deepEqual(body.body, []);
  });

  it('parses a small script whole, and says a syntax error in the code it parses', () => {
    const small = ScriptCode.parse(block(0), [{ line: 1, column: 16 }]);
    assert.ok(small.ok);
    assert.equal(small.code.partial, false);
    const broken = ScriptCode.parse(`${text}\nconst = 1;\n`, all.slice(0, 3));
    assert.equal(broken.ok, false);
  });
});
