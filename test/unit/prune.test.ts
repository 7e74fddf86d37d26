import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traceFromV8Profile, type V8ProfileNode } from '../../src/trace/v8-profile';
import type { TraceMeta } from '../../src/trace/format';

const meta: TraceMeta = {
  nodeVersion: null, v8Version: null, platform: null, pid: null, argv: [], execArgv: [], cwd: null, root: '/p',
  interval: 32768, mode: 'live', startTime: null, time: null, reason: 'exit', sequence: 0, thread: { id: 0, name: 'main' }, flags: [], notes: [],
};

function node(id: number, name: string, url: string, line: number, children: V8ProfileNode[] = [], selfSize = 0): V8ProfileNode {
  return { id, selfSize, children, callFrame: { functionName: name, scriptId: id, url, lineNumber: line, columnNumber: 4 } };
}

describe('import drops what no sample uses', () => {
  it('keeps sampled stacks with their callers, drops empty branches and their scripts', () => {
    // main → { kept (sampled), gone (empty, in its own script) → deeper (empty) }
    const head = node(1, '(root)', '', -1, [
      node(2, '', '/p/main.js', 0, [
        node(3, 'kept', '/p/a.js', 3, [], 100000),
        node(4, 'gone', '/p/b.js', 7, [node(5, 'deeper', '/p/c.js', 1)]),
      ]),
    ]);
    const trace = traceFromV8Profile({ head, samples: [{ nodeId: 3, size: 100000, ordinal: 1 }] }, { meta, producer: 'test' });
    assert.deepEqual(trace.scripts.map((s) => s.path), ['main.js', 'a.js']);
    assert.deepEqual(trace.frames.map((f) => f.name), ['', 'kept']);
    assert.deepEqual(trace.stacks, { frame: [0, 1], parent: [-1, 0] });
    assert.deepEqual(trace.samples.stack, [1]);
  });
});
