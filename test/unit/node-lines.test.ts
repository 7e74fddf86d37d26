/**
 * Small parts of the release-line handling: stack-depth notes on import, the version of the
 * program's Node, the test matrix's --node injection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeVersionOf } from '../../src/cli/node-version';
import type { TraceMeta } from '../../src/trace/format';
import { traceFromV8Profile, V8_STACK_DEPTH, type V8ProfileNode, type V8SamplingProfile } from '../../src/trace/v8-profile';
import { withProgramNode } from '../helpers/cli';

const META: TraceMeta = {
  nodeVersion: null,
  v8Version: null,
  platform: null,
  pid: null,
  argv: [],
  execArgv: [],
  cwd: '/app',
  root: '/app',
  interval: 32768,
  mode: 'live',
  startTime: null,
  time: null,
  reason: 'exit',
  sequence: 0,
  thread: { id: 0, name: 'main' },
  flags: [],
  notes: [],
};

/** A root with one chain of `depth` frames; the innermost holds one 1 MiB sample. */
function chain(depth: number): V8SamplingProfile {
  let id = depth + 1;
  let node: V8ProfileNode = {
    callFrame: { functionName: 'leaf', scriptId: 1, url: '/app/a.js', lineNumber: 0, columnNumber: 9 },
    selfSize: 1 << 20,
    id,
    children: [],
  };
  const leafId = id;
  for (let d = depth - 1; d >= 1; d--) {
    id -= 1;
    node = { callFrame: { functionName: 'descend', scriptId: 1, url: '/app/a.js', lineNumber: 4, columnNumber: 16 }, selfSize: 0, id, children: [node] };
  }
  const head: V8ProfileNode = { callFrame: { functionName: '(root)', scriptId: 0, url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: 0, children: [node] };
  return { head, samples: [{ size: 1 << 20, nodeId: leafId, ordinal: 1 }] };
}

describe('stacks at V8 depth limit', () => {
  it(`a sample ${V8_STACK_DEPTH} frames deep gets a note; one frame less does not`, () => {
    const cut = traceFromV8Profile(chain(V8_STACK_DEPTH), { meta: META, producer: 'test' });
    assert.deepEqual(cut.meta.notes, [`100% of sampled bytes come from stacks deeper than V8's limit of ${V8_STACK_DEPTH} frames: their outermost callers are missing`]);
    const whole = traceFromV8Profile(chain(V8_STACK_DEPTH - 1), { meta: META, producer: 'test' });
    assert.deepEqual(whole.meta.notes, []);
    assert.deepEqual(META.notes, [], 'the caller’s meta is not changed');
  });
});

describe('version of the Node that runs the program', () => {
  it('is asked of that Node; this one answers for itself; an unrunnable one falls back', () => {
    assert.equal(nodeVersionOf(process.execPath, process.env), process.version);
    assert.match(nodeVersionOf('node', process.env), /^v\d+\.\d+\.\d+$/);
    assert.equal(nodeVersionOf('/nonexistent/node', process.env), process.version);
  });
});

describe('test matrix: --node injection', () => {
  const env = { ALLOCTRACE_TEST_NODE: '/opt/node26' };
  it('adds --node to run, with or without the explicit command', () => {
    assert.deepEqual(withProgramNode(['--json', 'a.js'], env), ['run', '--node', '/opt/node26', '--json', 'a.js']);
    assert.deepEqual(withProgramNode(['run', '--json', 'a.js'], env), ['run', '--node', '/opt/node26', '--json', 'a.js']);
  });
  it('leaves other commands, explicit --node and an unset variable alone', () => {
    assert.deepEqual(withProgramNode(['show', 'x.trace'], env), ['show', 'x.trace']);
    assert.deepEqual(withProgramNode(['export', 'x.trace', '-o', 'x.heapprofile'], env), ['export', 'x.trace', '-o', 'x.heapprofile']);
    assert.deepEqual(withProgramNode(['--version'], env), ['--version']);
    assert.deepEqual(withProgramNode(['--node=/x', 'a.js'], env), ['--node=/x', 'a.js']);
    assert.deepEqual(withProgramNode(['a.js'], {}), ['a.js']);
  });
});
