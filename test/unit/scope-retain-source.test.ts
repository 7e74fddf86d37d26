/**
 * Where the entry's scope retainer goes (src/capture/scope-retain-source.ts): never where a line or
 * column of the program moves, never before 'use strict', as early as a failing statement allows.
 */
import assert from 'node:assert/strict';
import * as acorn from 'acorn';
import { describe, it } from 'node:test';
import { CJS_RETAINER, earlyRetainOffset, ESM_RETAINER, retainModuleScope, retainScriptScope } from '../../src/capture/scope-retain-source';

const load = (): typeof acorn => acorn;

/** The source with the retainer shown as `@`, and where it went. */
function placed(source: string): { marked: string; at: string } {
  const retained = retainScriptScope(source, load);
  return { marked: retained.source.replace(CJS_RETAINER, '@'), at: retained.at };
}

/** Every line of `source` is a prefix of the same line after the rewrite: nothing moved. */
function assertNothingMoved(source: string, rewritten: string): void {
  const before = source.split(/\r\n|[\n\r\u2028\u2029]/);
  const after = rewritten.split(/\r\n|[\n\r\u2028\u2029]/);
  before.forEach((line, i) => assert.ok(after[i]?.startsWith(line), `line ${i + 1} moved: ${JSON.stringify(after[i])}`));
}

describe('the CommonJS entry retainer', () => {
  const cases: Array<[string, string, string]> = [
    ['after the use strict line (tsc output)', '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nthrow 1;\n', '"use strict";@\n'],
    ['after the last of two directives', "'use strict';\n'use asm';\nfoo();\nbar();\n", "'use strict';\n'use asm';@\n"],
    ['after a require line', "const fs = require('fs');\nconst rows = load(fs);\nthrow new Error('x');\n", "const fs = require('fs');@\n"],
    ['after an empty collection', 'const index = new Map();\nfill(index);\nthrow 1;\n', 'const index = new Map();@\n'],
    ['on a blank line after code that can fail', 'const rows = load();\n\nthrow 1;\n', 'const rows = load();\n@\n'],
    ['after a function whose last line is its brace', 'function f() {\n  throw 1;\n}\nf();\nthrow 2;\n', 'function f() {\n  throw 1;\n}@\n'],
    ['not after a one-line function that throws', 'function f() { throw 1; }\nf();\n\ng();\n', 'function f() { throw 1; }\nf();\n@\n'],
    ['not on a blank line inside a comment', 'go();\n/*\n\n*/\nrun();\nrun();\n', undefined as unknown as string],
    ['after a hashbang and a require', '#!/usr/bin/env node\nconst x = require("x");\nrun(x);\n', '#!/usr/bin/env node\nconst x = require("x");@\n'],
    ['before CRLF, not between CR and LF', 'const a = [];\r\nrun(a);\r\n', 'const a = [];@\r\n'],
  ];
  for (const [name, source, expectedPrefix] of cases) {
    it(name, () => {
      const { marked, at } = placed(source);
      assertNothingMoved(source, retainScriptScope(source, load).source);
      if (expectedPrefix === undefined) {
        assert.equal(at, 'end', marked);
        return;
      }
      assert.equal(at, 'early', marked);
      assert.ok(marked.startsWith(expectedPrefix), marked);
      assert.equal(marked.split('@').length, 2);
    });
  }

  it('a minified bundle (one line) gets it after its last line', () => {
    const source = '"use strict";var a=[];for(let i=0;i<9;i++)a.push(i);throw a\n//# sourceMappingURL=b.js.map\n';
    const { marked, at } = placed(source);
    assert.equal(at, 'end');
    assert.equal(marked, `${source}\n@\n`);
  });

  it('a continued expression is not split: the blank line inside a statement is not a gap', () => {
    const source = 'const a = foo()\n\n  .bar();\nrun(a);\n';
    const { marked, at } = placed(source);
    assert.equal(at, 'end', marked);
  });

  it('module syntax is reported as unparsed (Node may load it as an ES module)', () => {
    assert.equal(retainScriptScope('import fs from "fs";\n\nfs.x();\nrun();\n', load).at, 'unparsed');
  });

  it('the rewritten script still parses and keeps its strictness', () => {
    const source = '"use strict";\nconst a = [];\nfunction f() { return this; }\nmodule.exports = f();\n';
    const rewritten = retainScriptScope(source, load).source;
    const wrapped = new Function('exports', 'require', 'module', rewritten) as (e: unknown, r: unknown, m: { exports?: unknown }) => void;
    const m: { exports?: unknown } = {};
    wrapped({}, () => undefined, m);
    assert.equal(m.exports, undefined, 'strict mode: this is undefined');
  });
});

describe('the ES module entry retainer', () => {
  it('is one line after the last: no line or column moves', () => {
    const source = 'const a = [];\nawait run(a); // last\n';
    const rewritten = retainModuleScope(source);
    assert.equal(rewritten, source + ESM_RETAINER);
    assertNothingMoved(source, rewritten);
  });
});

describe("the CommonJS entry retainer's fast path", () => {
  it("'use strict' alone on line 1 (tsc, esbuild): no parser loaded", () => {
    const source = '"use strict";\nvar a = [];\nthrow a;\n';
    const retained = retainScriptScope(source, () => {
      throw new Error('acorn loaded');
    });
    assert.equal(retained.source, `"use strict";${CJS_RETAINER}\nvar a = [];\nthrow a;\n`);
  });

  /** What the parser places, as `retainScriptScope` does with it. */
  function byParser(source: string): { source: string; at: string } {
    const at = earlyRetainOffset(source, acorn);
    if (at < 0) return { source: `${source}\n${CJS_RETAINER}\n`, at: at === -2 ? 'unparsed' : 'end' };
    return { source: source.slice(0, at) + CJS_RETAINER + source.slice(at), at: 'early' };
  }

  const noParser = (): never => {
    throw new Error('acorn loaded');
  };

  for (const [name, source] of [
    ['an empty script', ''],
    ['white space only', ' \n\t\r\n'],
    ['a require line, then code', "const fs = require('fs');\nconst rows = load(fs);\nthrow new Error('x');\n"],
    ['a require line with blanks, then a blank line and code', 'let  x = require( "node:path" ) ;  \r\n\n  run(x);\n'],
    ['var and a scoped package', "var y = require('@scope/pkg/sub.js');\ny();\n"],
  ] as const) {
    it(`${name}: placed as the parser places it, without loading it`, () => {
      assert.deepEqual(retainScriptScope(source, noParser), byParser(source));
    });
  }

  for (const [name, source] of [
    ['a require line and nothing after it', "const fs = require('fs');\n"],
    ['a require line, then only a comment', "const fs = require('fs');\n// done\n"],
    ['no semicolon (the next line may continue it)', "const fs = require('fs')\n(run)()\n"],
    ['a reserved name', "var if = require('x');\nrun();\n"],
    ['a comment after the require', "const fs = require('fs'); // files\nrun();\n"],
    ['a template literal', 'const fs = require(`fs`);\nrun();\n'],
  ] as const) {
    it(`${name}: goes through the parser`, () => {
      let loaded = false;
      const retained = retainScriptScope(source, () => {
        loaded = true;
        return acorn;
      });
      assert.ok(loaded);
      assert.deepEqual(retained, byParser(source));
    });
  }

  it("a minified 'use strict' line still goes through the parser", () => {
    let loaded = false;
    retainScriptScope('"use strict";var a=[];throw a\n', () => {
      loaded = true;
      return acorn;
    });
    assert.ok(loaded);
  });
});
