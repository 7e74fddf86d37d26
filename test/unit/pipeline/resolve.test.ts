/**
 * The pipeline's resolve half over hand-built traces and real code (a TypeScript file transpiled by
 * esbuild, its map kept "in memory" as tsx keeps it): every stage touches only its own fields, and
 * every way in (CLI with or without source maps, `Snapshot.load`) ends with the same lines proven.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { transformSync } from 'esbuild';
import { Snapshot } from '../../../src/api/snapshot';
import { dropLines } from '../../../src/lines/resolve-lines';
import { resolveTrace } from '../../../src/pipeline/resolve';
import { unsymbolizeTrace } from '../../../src/symbolize/symbolize';
import type { ScriptFrameRecord, ScriptRecord, TraceFile } from '../../../src/trace/format';
import { writeTrace } from '../../../src/trace/write';
import { scratchDir } from '../../helpers/fixtures';
import { buildTrace, chain } from '../../helpers/trace-builder';

const SOURCE = [
  'interface Entry { id: number; values: number[] }', // 1
  'type Store = Map<number, Entry>;', // 2
  '', // 3
  'export function fillStore(store: Store, n: number): Store {', // 4
  '  for (let i = 0; i < n; i++) {', // 5
  '    store.set(i, { id: i, values: new Array<number>(10).fill(i) });', // 6
  '  }', // 7
  '  return store;', // 8
  '}', // 9
  '',
].join('\n');

/**
 * A `.ts` file run from memory (as tsx runs it): the trace carries the code V8 ran and its map;
 * the file on disk is TypeScript, which is not what V8 ran.
 */
function inMemoryTrace(): { trace: TraceFile; generatedLine: number } {
  const dir = fs.mkdtempSync(path.join(scratchDir(), 'pipeline-'));
  const file = path.join(dir, 'app.ts');
  fs.writeFileSync(file, SOURCE);
  const out = transformSync(SOURCE, { loader: 'ts', format: 'cjs', sourcemap: 'external', sourcefile: file });
  const lines = out.code.split('\n');
  const fnLine = lines.findIndex((l) => l.includes('function fillStore(')) + 1;
  const fnColumn = lines[fnLine - 1]!.indexOf('(') + 1;
  const generatedLine = lines.findIndex((l) => l.includes('store.set(i')) + 1;
  assert.ok(fnLine > 0 && generatedLine > 0 && generatedLine !== 6, 'the generated lines differ from the source');
  const script: ScriptRecord = { url: file, path: 'app.ts', map: 'unresolved', memoryCode: out.code, memoryMap: JSON.parse(out.map) as unknown };
  const trace = buildTrace({
    meta: { root: dir, cwd: dir },
    scripts: [script],
    frames: [
      { kind: 'pseudo', name: '(root)' },
      { kind: 'script', name: 'fillStore', script: 0, line: fnLine, column: fnColumn },
    ],
    stacks: chain([0, 1]),
    samples: { stack: [1], size: [1_000_000] },
  });
  return { trace, generatedLine };
}

function fillStoreOf(trace: TraceFile): ScriptFrameRecord {
  const frame = trace.frames[1];
  assert.ok(frame?.kind === 'script');
  return frame;
}

describe('pipeline: resolveTrace', () => {
  it('with source maps: the in-memory map gives the .ts line, the in-memory code proves the exact line', () => {
    const { trace } = inMemoryTrace();
    const { trace: resolved, diagnostics } = resolveTrace(trace, { sourceMaps: true });
    assert.deepEqual(diagnostics, []);
    assert.equal(resolved.scripts[0]?.map, 'memory');
    assert.equal(resolved.scripts[0]?.code, 'parsed');
    const frame = fillStoreOf(resolved);
    assert.equal(frame.original?.line, 4);
    assert.ok(frame.self !== undefined && 'exact' in frame.self, JSON.stringify(frame.self));
    assert.equal(frame.self.exact.original?.line, 6);
  });

  it('--no-source-maps keeps the code V8 ran: the exact line stays, at its generated position', () => {
    const { trace, generatedLine } = inMemoryTrace();
    // As `show --no-source-maps` gets a saved trace: resolved already, then resolved again without maps.
    const saved = resolveTrace(trace, { sourceMaps: true }).trace;
    for (const input of [trace, saved]) {
      const { trace: resolved } = resolveTrace(input, { sourceMaps: false });
      assert.equal(resolved.scripts[0]?.map, 'unresolved');
      assert.equal(resolved.scripts[0]?.code, 'parsed', 'the memoryCode survived unsymbolizing');
      const frame = fillStoreOf(resolved);
      assert.equal(frame.original, undefined);
      assert.ok(frame.self !== undefined && 'exact' in frame.self, JSON.stringify(frame.self));
      assert.equal(frame.self.exact.line, generatedLine);
      assert.equal(frame.self.exact.original, undefined);
    }
  });

  it('a saved trace passes through unchanged', () => {
    const saved = resolveTrace(inMemoryTrace().trace, { sourceMaps: true }).trace;
    assert.deepEqual(resolveTrace(saved, { sourceMaps: true }).trace, saved);
  });
});

describe('pipeline: each stage touches only its own fields', () => {
  const everything: ScriptRecord = {
    url: '/p/a.js',
    path: 'a.js',
    map: 'error',
    mapError: 'broken',
    memoryMap: { version: 3, sources: [], names: [], mappings: '' },
    evalOf: 7,
    memoryCode: 'function f() {}',
    code: 'unparsable',
    codeError: 'bad',
    exactLines: 'read',
  };
  const trace = buildTrace({
    scripts: [everything],
    frames: [
      {
        kind: 'script', name: 'f', script: 0, line: 1, column: 11, topLevel: false,
        original: { source: 'a.ts', line: 2, column: 3, name: 'g' }, self: { exact: { line: 1, column: 14 } }, wrapper: { line: 1, column: 14 },
      },
    ],
    stacks: { frame: [0], parent: [-1], call: [null] },
    samples: { stack: [0], size: [10] },
  });

  it('unsymbolizeTrace drops map, mapError and original only', () => {
    const out = unsymbolizeTrace(trace);
    const { mapError: _e, ...kept } = everything;
    assert.deepEqual(out.scripts[0], { ...kept, map: 'unresolved' });
    const { original: _o, ...frame } = trace.frames[0] as ScriptFrameRecord;
    assert.deepEqual(out.frames[0], frame);
    assert.deepEqual(out.stacks, trace.stacks);
  });

  it('dropLines drops code, codeError, self and stacks.call only', () => {
    const out = dropLines(trace);
    const { code: _c, codeError: _ce, ...kept } = everything;
    assert.deepEqual(out.scripts[0], kept);
    const { self: _s, ...frame } = trace.frames[0] as ScriptFrameRecord;
    assert.deepEqual(out.frames[0], frame);
    assert.deepEqual(out.stacks, { frame: [0], parent: [-1] });
  });
});

describe('Snapshot.load resolves as the CLI does', () => {
  it('an unresolved trace with an in-memory map: the .ts line, and the proven exact line', () => {
    const { trace } = inMemoryTrace();
    const file = path.join(scratchDir(), 'pipeline-load.trace');
    writeTrace(file, trace, { overwrite: true });
    const [top] = Snapshot.load(file).statistics('lineno');
    assert.equal(top?.location.file, 'app.ts');
    assert.equal(top?.location.line, 6);
    assert.equal(top?.location.precision, 'exact');
  });
});
