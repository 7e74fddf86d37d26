/**
 * One schema for the trace format: the field tables of `trace/schema.ts` (checked against the
 * types of `format.ts` by the compiler) drive the reader's validation, and every field they name
 * is documented in docs/trace-format.md.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseTrace } from '../../../src/trace/read';
import { CODE_POINT_FIELDS, FRAME_FIELDS, ISOLATE_FIELDS, KIND_FIELDS, META_FIELDS, ORIGINAL_FIELDS, SCRIPT_FIELDS, THREAD_FIELDS, type RecordSpec } from '../../../src/trace/schema';
import type { TraceFile } from '../../../src/trace/format';
import { REPO_ROOT } from '../../helpers/fixtures';
import { buildTrace } from '../../helpers/trace-builder';

/** A trace carrying every optional field of every record. */
function everyField(): TraceFile {
  const original = { source: 'src/a.ts', line: 3, column: 5, name: 'g' };
  const trace = buildTrace({
    meta: { nodeVersion: 'v20.0.0', v8Version: '11', platform: 'linux-x64', execArgv: ['--x'], startTime: 't0', time: 't1', flags: ['exact-lines'] },
    scripts: [
      { url: '/p/a.js', path: 'a.js', map: 'memory', memoryMap: { version: 3 }, memoryCode: 'function f() {}', code: 'parsed', exactLines: 'read' },
      { url: 'webpack://x/a.js', path: null, map: 'error', mapError: 'broken', evalOf: 12, code: 'unparsable', codeError: 'bad' },
    ],
    frames: [
      { kind: 'pseudo', name: '(root)' },
      { kind: 'script', name: 'f', script: 0, line: 1, column: 11, topLevel: false, original, self: { exact: { line: 1, column: 14, original } }, wrapper: { line: 1, column: 14 } },
      { kind: 'collected', name: 'g', scriptId: 3, bootstrap: true },
      { kind: 'builtin', name: 'repeat' },
    ],
    stacks: { frame: [0, 1, 2, 3], parent: [-1, 0, 1, 2], call: [null, { candidates: [{ line: 1, column: 2 }, { line: 2, column: 2, original }] }, null, null] },
    samples: { stack: [3, 1], size: [10, 20], thread: [0, 0] },
    threads: [{ pid: 1, id: 0, name: 'main', argv: [] }],
  });
  // An object trace's fields.
  trace.meta.objects = 'tracked';
  trace.kinds = [{ name: 't', at: { url: '/p/a.js', line: 1, column: 24 }, original: 'Order' }, { name: 'Buffer (external)', external: true }];
  trace.samples.kind = [1, 0];
  return trace;
}

const read = (trace: unknown): TraceFile => parseTrace(JSON.stringify(trace), 't.trace', { producer: 'test' });

describe('trace schema', () => {
  it('a trace with every field reads back as written', () => {
    const trace = everyField();
    assert.deepEqual(read(trace), trace);
  });

  it('each field the validator once missed, with a wrong type, is a corrupt trace', () => {
    const cases: Array<[Array<string | number>, unknown, RegExp]> = [
      [['frames', 1, 'wrapper'], { line: 'one', column: 1 }, /malformed frame \(wrapper\)/],
      [['frames', 1, 'topLevel'], 'yes', /malformed frame \(topLevel\)/],
      [['scripts', 0, 'code'], 'maybe', /malformed script \(code\)/],
      [['scripts', 0, 'exactLines'], true, /malformed script \(exactLines\)/],
      [['scripts', 0, 'memoryMap'], 'not a map', /malformed script \(memoryMap\)/],
      [['frames', 1, 'original', 'column'], null, /malformed original position/],
      [['frames', 1, 'self', 'exact', 'original', 'column'], '5', /malformed frame self line/],
      [['stacks', 'call', 1, 'candidates', 1, 'original', 'name'], 7, /malformed stack call line/],
      [['frames', 2, 'bootstrap'], 1, /malformed frame \(bootstrap\)/],
      [['meta', 'thread', 'id'], 'x', /bad meta\.thread/],
      [['meta', 'objects'], 'all', /bad meta\.objects/],
      [['kinds', 1, 'external'], 'yes', /malformed kind/],
      [['samples', 'kind', 0], 2, /sample points at a missing kind/],
    ];
    for (const [where, value, message] of cases) {
      const trace = JSON.parse(JSON.stringify(everyField())) as Record<string | number, unknown>;
      let at = trace;
      for (const key of where.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      at[where[where.length - 1]!] = value;
      assert.throws(() => read(trace), (e: Error) => message.test(e.message), where.join('.'));
    }
  });

  it('fields a reader defaults may be left out; the required ones may not', () => {
    const trace = everyField();
    const meta = { interval: 32768, argv: [], notes: [] };
    assert.deepEqual(read({ ...trace, meta }).meta.thread, { id: 0, name: 'main' });
    for (const required of Object.entries(META_FIELDS).filter(([, f]) => f.optional !== true).map(([n]) => n)) {
      const { [required]: _gone, ...rest } = meta as Record<string, unknown>;
      assert.throws(() => read({ ...trace, meta: rest }), /corrupt trace: bad meta/, required);
    }
  });

  it('docs/trace-format.md documents every field of every record', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'trace-format.md'), 'utf8');
    const tables: Array<[string, RecordSpec]> = [
      ['meta', META_FIELDS],
      ['thread', ISOLATE_FIELDS],
      ['scripts[]', SCRIPT_FIELDS],
      ['original', ORIGINAL_FIELDS],
      ['line record point', CODE_POINT_FIELDS],
      ['threads', THREAD_FIELDS],
      ['kinds', KIND_FIELDS],
      ...Object.entries(FRAME_FIELDS).map(([kind, spec]): [string, RecordSpec] => [`frames[] ${kind}`, spec]),
    ];
    const missing = tables.flatMap(([record, spec]) => Object.keys(spec).filter((field) => !doc.includes(`\`${field}`)).map((f) => `${record}.${f}`));
    assert.deepEqual(missing, []);
    // The docs name the schema they are checked against.
    assert.match(doc, /src\/trace\/schema\.ts/);
  });
});
