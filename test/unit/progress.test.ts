import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Progress } from '../../src/cli/progress';

function clock(times: number[]): () => number {
  return () => times.shift() ?? Infinity;
}

describe('Progress', () => {
  it('says nothing for work under a second', () => {
    let out = '';
    const p = new Progress({ writeErr: (s) => (out += s) }, true, clock([0, 400, 900]));
    p.step('read');
    p.step('resolved');
    p.end();
    assert.equal(out, '');
  });

  it('after a second, each stage on one terminal line, cleared at the end', () => {
    let out = '';
    const p = new Progress({ writeErr: (s) => (out += s) }, true, clock([0, 500, 1500, 2500]));
    p.step('read');
    p.step('resolved');
    p.step('grouped');
    p.end();
    assert.equal(out, '\r\x1b[2Kalloctrace: resolved (1.5 s)…\r\x1b[2Kalloctrace: grouped (2.5 s)…\r\x1b[2K');
  });

  it('never writes when stderr is not a terminal', () => {
    let out = '';
    const p = new Progress({ writeErr: (s) => (out += s) }, false, clock([0, 5000]));
    p.step('read');
    p.end();
    assert.equal(out, '');
  });
});
