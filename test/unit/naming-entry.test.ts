/** Trace file names (never colliding) and what `run` accepts as its script. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { requireOption, withPreload } from '../../src/capture/children';
import { resolveProcessOutput, workerOutput } from '../../src/capture/naming';
import { nameFromTitle } from '../../src/capture/workers';
import { notJavaScript } from '../../src/cli/entry';

describe('trace names', () => {
  it('a pid that comes round again gets a sequence number; workers derive from their process', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-naming-'));
    try {
      const template = path.join(dir, '{pid}.trace');
      assert.equal(resolveProcessOutput(template, 42), path.join(dir, '42.trace'));
      fs.writeFileSync(path.join(dir, '42.worker-1.trace'), '');
      assert.equal(resolveProcessOutput(template, 42), path.join(dir, '42-1.trace'));
      fs.writeFileSync(path.join(dir, '42-1.trace'), '');
      assert.equal(resolveProcessOutput(template, 42), path.join(dir, '42-2.trace'));
      assert.equal(resolveProcessOutput(template, 420), path.join(dir, '420.trace'));
      assert.equal(resolveProcessOutput(path.join(dir, 'final.trace'), 42), path.join(dir, 'final.trace'));
      assert.equal(workerOutput(path.join(dir, '42-1.trace'), 3), path.join(dir, '42-1.worker-3.trace'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('worker titles and NODE_OPTIONS', () => {
    assert.equal(nameFromTitle('[worker 3] hasher'), 'hasher');
    assert.equal(nameFromTitle('[worker 3]'), '');
    assert.equal(withPreload(undefined, '/a/p.js'), '--require=/a/p.js');
    assert.equal(withPreload('--max-old-space-size=64', '/a/p.js'), '--max-old-space-size=64 --require=/a/p.js');
    assert.equal(withPreload('--require=/a/p.js', '/a/p.js'), '--require=/a/p.js');
    assert.equal(requireOption('/my dir/p.js'), '--require="/my dir/p.js"');
  });
});

describe('notJavaScript', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-entry-'));
  const write = (name: string, content: string | Buffer): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  it('accepts what node runs, names what it is not', () => {
    assert.equal(notJavaScript(write('a.mjs', 'x')), null);
    assert.equal(notJavaScript(write('cli', '#!/usr/bin/env node\nconsole.log(1)')), null);
    assert.equal(notJavaScript(write('plain', 'console.log(1)')), null);
    assert.equal(notJavaScript(write('run', '#!/usr/bin/env -S bash -e\necho')), 'a script for bash');
    assert.equal(notJavaScript(write('x.py', 'print(1)')), 'a .py file');
    assert.equal(notJavaScript(write('bin', Buffer.from([1, 0, 2]))), 'a binary file');
  });
});
