/**
 * The code analysis behind real source lines: finding a function from V8's position (checked
 * against what Node 20 reports: `(` of a parameter list, an arrow's first parameter, `class` for
 * a class's implicit functions) and what its own code calls and allocates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseFunction } from '../../src/lines/constructs';
import { ScriptCode, type AstNode } from '../../src/lines/script-code';

const SOURCE = [
  'class Foo { constructor(n) { this.a = new Array(n).fill(1); } }', // 1
  'class Bar { x = [1, 2]; }', // 2
  'const arrow = n => Array.from({ length: n });', // 3
  'function f(n) {', // 4
  '  const s = "ab".repeat(n);', // 5
  '  (0, m.g)(n);', // 6
  '  h.call(null, n);', // 7
  '  return (() => [s])();', // 8
  '}', // 9
].join('\n');

function parsed(): ScriptCode {
  const result = ScriptCode.parse(SOURCE);
  assert.ok(result.ok);
  return result.code;
}

/** The function V8 reports at 1-based `line`/`column`. */
function at(code: ScriptCode, line: number, column: number): AstNode {
  const offset = code.offsetOf(line, column);
  assert.ok(offset !== null);
  const node = code.functionAt(offset);
  assert.ok(node !== null, `no function at ${line}:${column}`);
  return node;
}

const lineOf = (code: ScriptCode) => (offset: number) => code.positionOf(offset).line;

describe('ScriptCode.functionAt', () => {
  it('finds functions where V8 places them', () => {
    const code = parsed();
    assert.equal(at(code, 1, 24).type, 'FunctionExpression'); // Foo's constructor: its `(`
    assert.equal(code.nameNodeOf(at(code, 1, 24))?.['name'], 'Foo');
    assert.equal(at(code, 2, 1).type, 'ClassDeclaration'); // Bar's initializer and implicit constructor
    const arrow = at(code, 3, 15); // `n` of `n =>`
    assert.equal(arrow.type, 'ArrowFunctionExpression');
    assert.equal(code.nameNodeOf(arrow)?.['name'], 'arrow');
    assert.equal(at(code, 4, 11).type, 'FunctionDeclaration'); // `(` of `f(`
    assert.equal(code.functionAt(code.offsetOf(5, 3)!), null); // inside a body: not a function start
  });

  it('rejects what is not JavaScript', () => {
    assert.equal(ScriptCode.parse('function (').ok, false);
  });
});

describe('analyseFunction', () => {
  it("lists a function's own calls and allocating constructs, not its closures' code", () => {
    const code = parsed();
    const f = analyseFunction(at(code, 4, 11));
    const names = f.calls.map((c) => c.names.join('/'));
    assert.deepEqual(names, ['repeat', 'g', 'call/h', '']);
    assert.deepEqual(f.calls.map((c) => lineOf(code)(c.offset)), [5, 6, 7, 8]);
    // The IIFE's call knows its callee; the array literal inside it is the IIFE's own.
    assert.equal(f.calls[3]?.calleeFunction?.type, 'ArrowFunctionExpression');
    assert.deepEqual([...new Set(f.allocations.map(lineOf(code)))], [5, 6, 7, 8]);
  });

  it("reads a class's field initializers as its initializer frame", () => {
    const code = parsed();
    const bar = at(code, 2, 1);
    assert.deepEqual(analyseFunction(bar, 'constructor').allocations, []);
    assert.deepEqual(analyseFunction(bar, 'instance-initializer').allocations.map(lineOf(code)), [2]);
  });
});

describe('ScriptCode.nodeSpanning', () => {
  it('finds the outermost node of a range (what --exact-lines wrapped), or none', () => {
    const code = parsed();
    const start = SOURCE.indexOf('"ab".repeat(n)');
    const node = code.nodeSpanning(start, start + '"ab".repeat(n)'.length);
    assert.equal(node?.type, 'CallExpression');
    assert.equal(code.nodeSpanning(start, start + 3), null);
  });
});
