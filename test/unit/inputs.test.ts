/** Issue 12's input defects that need no traced process: crafted traces, globs, parse errors, API arguments. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as alloctrace from '../../src/index';
import { Snapshot } from '../../src/api/snapshot';
import { CodeCache } from '../../src/lines/code-cache';
import { escapeControl } from '../../src/report/escape';
import type { TraceFile } from '../../src/trace/format';
import { parseTrace } from '../../src/trace/read';

function baseTrace(): TraceFile {
  return {
    format: 'alloctrace-trace',
    version: 1,
    producer: 'test',
    meta: {
      nodeVersion: 'v20.0.0', v8Version: null, platform: null, pid: 1, argv: [], execArgv: [], cwd: '/p', root: '/p',
      interval: 32768, mode: 'live', startTime: null, time: null, reason: 'exit', sequence: 0, thread: { id: 0, name: 'main' }, flags: [], notes: [],
    },
    scripts: [{ url: '/p/dist/a.js', path: 'dist/a.js', map: 'none' }],
    frames: [
      { kind: 'script', name: 'main', script: 0, line: 1, column: 1 },
      { kind: 'script', name: 'f', script: 0, line: 3, column: 14 },
    ],
    stacks: { frame: [0, 1], parent: [-1, 0] },
    samples: { stack: [1, 1], size: [1000, 3000], count: [10, 30], ordinal: [1, 2] },
  };
}

function parsed(edit: (t: TraceFile & Record<string, any>) => void): string | null {
  const trace = baseTrace() as TraceFile & Record<string, any>;
  edit(trace);
  try {
    parseTrace(JSON.stringify(trace), 'x.trace', { producer: 'test' });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('crafted traces', () => {
  it('D24: out-of-range numbers and wrongly typed optional fields are a corrupt trace', () => {
    assert.equal(parsed(() => undefined), null, 'the base trace is valid');
    const cases: Array<[string, (t: any) => void]> = [
      ['negative size', (t) => (t.samples.size[0] = -1e12)],
      ['size 1e300', (t) => (t.samples.size[0] = 1e300)],
      ['negative count', (t) => (t.samples.count[0] = -3)],
      ['zero count', (t) => (t.samples.count[0] = 0)],
      ['negative line', (t) => (t.frames[1].line = -5)],
      ['original line 0', (t) => (t.frames[1].original = { source: 'a.ts', line: 0, column: 1, name: null })],
      ['interval 1e-300', (t) => (t.meta.interval = 1e-300)],
      ['code: 1', (t) => (t.scripts[0].code = 1)],
      ["exactLines: 'x'", (t) => (t.scripts[0].exactLines = 'x')],
      ["topLevel: 'yes'", (t) => (t.frames[0].topLevel = 'yes')],
      ['wrapper: 1', (t) => (t.frames[0].wrapper = 1)],
      ['negative pid', (t) => (t.meta.pid = -4)],
    ];
    for (const [what, edit] of cases) assert.match(parsed(edit) ?? 'accepted', /^x\.trace: corrupt trace: /, what);
    const head = { callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, selfSize: -5e12, id: 1, children: [] };
    assert.throws(() => parseTrace(JSON.stringify({ head, samples: [] }), 'neg.heapprofile', { producer: 'test' }), /corrupt \.heapprofile: node selfSize out of range/);
  });

  it('D15: a stack deeper than 1024 frames is refused at once, in a trace and in a .heapprofile', () => {
    const deep = parsed((t) => {
      const n = 20_000;
      t.stacks = { frame: Array.from({ length: n }, (_, i) => (i === 0 ? 0 : 1)), parent: Array.from({ length: n }, (_, i) => i - 1) };
      t.samples = { stack: Array.from({ length: n }, (_, i) => i), size: Array(n).fill(8), count: Array(n).fill(1), ordinal: Array.from({ length: n }, (_, i) => i) };
    });
    assert.match(deep ?? 'accepted', /stack deeper than 1024 frames/);
    type Node = { callFrame: Record<string, unknown>; selfSize: number; id: number; children: Node[] };
    const head: Node = { callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1, scriptId: '0' }, selfSize: 0, id: 1, children: [] };
    let at = head;
    for (let id = 2; id < 2000; id++) {
      const child: Node = { callFrame: { functionName: `f${id}`, url: '/p/a.js', lineNumber: id, columnNumber: 0, scriptId: '1' }, selfSize: 8, id, children: [] };
      at.children.push(child);
      at = child;
    }
    assert.throws(() => parseTrace(JSON.stringify({ head, samples: [] }), 'deep.heapprofile', { producer: 'test' }), /stack deeper than 1024 frames/);
  });

  it('D15: a three-star --include against a 100 KB path answers at once (no RegExp backtracking)', () => {
    // Run apart with a hang bound: the RegExp it replaces ran for minutes.
    const filter = path.join(__dirname, '..', '..', 'src', 'analyze', 'filter.js');
    const probe = `const { globMatcher } = require(${JSON.stringify(filter)}); const p = 'src/' + 'a/'.repeat(50000) + 'x.js';
      console.log(globMatcher('src/*/*/*.ts')(p), globMatcher('src/*/*/*.js')(p), globMatcher('*a/a*.ts')(p));`;
    const run = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.signal, null, 'not stopped by the hang bound');
    assert.equal(run.stdout.trim(), 'false true false');
  });

  it('D23: a file a trace names as a script is parsed, but no token of it is ever printed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-d23-'));
    try {
      const secret = path.join(dir, 'secretfile');
      fs.writeFileSync(secret, 'let SECRET_TOKEN_x9f3 = 1;\nlet SECRET_TOKEN_x9f3 = 2;\n');
      const loaded = new CodeCache().load(secret);
      assert.equal(loaded.status, 'unparsable');
      assert.equal(loaded.status === 'unparsable' ? loaded.error : '', 'syntax error at line 2, column 5');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('D16: escapeControl shows control characters, C1 controls, line separators and bidi overrides escaped', () => {
    assert.equal(escapeControl('a\u001b]0;x\u0007b\nc\r\t\u0085\u2028\u202e'), 'a\\x1b]0;x\\x07b\\nc\\r\\t\\x85\\u2028\\u202e');
    assert.equal(escapeControl('plain/ünïcode 名前.ts'), 'plain/ünïcode 名前.ts');
  });
});

describe('library API arguments', () => {
  it('D26: wrongly typed arguments are TypeErrors naming the argument (ERR_INVALID_ARG_TYPE), thrown before anything runs', () => {
    const snapshot = new Snapshot(baseTrace());
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['start(null)', () => alloctrace.start(null as never), /"options" argument must be an object. Received null/],
      ['start({ root: 1 })', () => alloctrace.start({ root: 1 as never }), /"options\.root" argument must be a string/],
      ['compareTo({})', () => snapshot.compareTo({} as never), /"old" argument must be a Snapshot. Received an instance of Object/],
      ['compareTo(null)', () => snapshot.compareTo(null as never), /"old" argument must be a Snapshot. Received null/],
      ['filter(pattern 5)', () => snapshot.filter([{ inclusive: 'yes', pattern: 5 }] as never), /"filters\[0\]\.inclusive" argument must be a boolean/],
      ['filter(not an array)', () => snapshot.filter('x' as never), /"filters" argument must be an array/],
      ['statistics(5)', () => snapshot.statistics(5 as never), /"groupBy" argument must be a string/],
      ['statistics options', () => snapshot.statistics('lineno', { cumulative: 'yes' } as never), /"options\.cumulative" argument must be a boolean/],
      ['dump(1)', () => snapshot.dump(1 as never), /"file" argument must be a string/],
      ['load(null)', () => Snapshot.load(null as never), /"file" argument must be a string/],
    ];
    for (const [what, call, message] of cases) {
      assert.throws(call, (error: unknown) => error instanceof TypeError && (error as { code?: string }).code === 'ERR_INVALID_ARG_TYPE' && message.test((error as Error).message), what);
    }
    assert.equal(alloctrace.isTracing(), false, 'a refused start() starts nothing');
  });
});
