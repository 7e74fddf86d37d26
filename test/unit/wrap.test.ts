/**
 * `--exact-lines` rewrite: the wrapped program must compute exactly what the original does, keep
 * every line, and let positions be read back (wrapper arrows → their expression).
 */
import assert from 'node:assert/strict';
import * as vm from 'node:vm';
import { describe, it } from 'node:test';
import { lineStartsOf, ScriptCode } from '../../src/lines/script-code';
import { applyWraps, planWraps, WrapTranslator } from '../../src/lines/wrap';

// Semicolon-free lines, `this`/`arguments`/`super`/`new.target`, class fields, generators,
// async code, optional chains, tagged templates, element stores, string building.
const PROGRAM = `
const out = []
const tag = (s, ...v) => s.raw.join('|') + v.join(',')
class Base { hello() { return ['base'] } }
class Thing extends Base {
  items = [1, 2]
  constructor(n) { super(); this.n = new.target === Thing ? [n] : null }
  hello() { return [...super.hello(), 'thing', \`n=\${this.n}\`] }
  *gen() { const x = yield [1]; yield { x } }
  static make() { return new Thing(arguments.length) }
}
function args() { return [arguments.length, ...arguments] }
async function later(v) { const r = await Promise.resolve([v]); return { r } }
const t = Thing.make(1, 2)
;[t.hello(), t.items, args(1, 2, 3)].forEach((x) => out.push(x))
const g = t.gen(); g.next(); out.push(g.next(7).value)
const maybe = null
out.push(maybe?.list.map((x) => [x]) ?? 'none', tag\`a\${1}b\${[2]}\`)
const grid = {}
for (let i = 0; i < 3; i++) grid['k' + i] = { i, label: 'row ' + i }
out.push(grid)
later(5).then((v) => out.push(v))
out
`;

function run(code: string): Promise<string> {
  const out = vm.runInNewContext(code, { Promise }) as unknown[];
  // Let the async function finish.
  return new Promise((resolve) => setImmediate(() => resolve(JSON.stringify(out))));
}

describe('--exact-lines rewrite', () => {
  it('computes the same results, on the same lines', async () => {
    const parsed = ScriptCode.parse(PROGRAM);
    assert.ok(parsed.ok);
    const wraps = planWraps(parsed.code);
    assert.ok(wraps.length > 10, `only ${wraps.length} wraps`);
    const wrapped = applyWraps(PROGRAM, wraps);
    assert.notEqual(wrapped, PROGRAM);
    assert.equal(wrapped.split('\n').length, PROGRAM.split('\n').length);
    assert.equal(await run(wrapped), await run(PROGRAM));
  });

  it('reads wrapped positions back: arrows to their expression, other code to itself', () => {
    const parsed = ScriptCode.parse(PROGRAM);
    assert.ok(parsed.ok);
    const wraps = planWraps(parsed.code);
    const wrapped = applyWraps(PROGRAM, wraps);
    const translator = new WrapTranslator(wraps);
    // Every wrapper arrow `()=>` in the rewritten text reads back as its wrap.
    let arrows = 0;
    for (let t = wrapped.indexOf('(()=>('); t >= 0; t = wrapped.indexOf('(()=>(', t + 1)) {
      const back = translator.original(t + 1);
      assert.ok(back.wrap !== null, `arrow at ${t} not read back`);
      assert.equal(PROGRAM.slice(back.wrap.start, back.wrap.end).length > 0, true);
      arrows += 1;
    }
    assert.equal(arrows, wraps.length);
    // Original code reads back to itself: `hello` and `make` are found where they were written.
    for (const word of ['hello()', 'make()', 'gen()']) {
      const back = translator.original(wrapped.indexOf(word));
      assert.deepEqual(back, { offset: PROGRAM.indexOf(word), wrap: null });
    }
    assert.equal(lineStartsOf(wrapped).length, lineStartsOf(PROGRAM).length);
  });
});
