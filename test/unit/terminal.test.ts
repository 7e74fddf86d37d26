/** Whether a terminal's keyboard signals reach the program by themselves. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { isTerminalForeground, parseProcStat } from '../../src/cli/terminal';

describe('terminal standing from /proc/<pid>/stat', () => {
  it('reads pgrp, tty and the foreground group, also past a name with spaces and parentheses', () => {
    const line = '4242 (node (my app) x) S 4200 4242 4100 34816 4242 4194560 1 0 0 0 3 1 0 0 20 0 7 0 100 0 0';
    assert.deepEqual(parseProcStat(line), { pgrp: 4242, ttyNr: 34816, tpgid: 4242 });
  });

  it('rejects lines of another shape', () => {
    assert.equal(parseProcStat(''), null);
    assert.equal(parseProcStat('4242 node S 1 2'), null);
    assert.equal(parseProcStat('4242 (node) S 1 x 3'), null);
  });

  it('foreground only with a terminal whose foreground group is ours', () => {
    assert.equal(isTerminalForeground({ pgrp: 10, ttyNr: 34816, tpgid: 10 }), true);
    assert.equal(isTerminalForeground({ pgrp: 10, ttyNr: 34816, tpgid: 11 }), false, 'a background job');
    assert.equal(isTerminalForeground({ pgrp: 10, ttyNr: 0, tpgid: -1 }), false, 'no terminal (CI, a daemon)');
  });

  it('parses this process\'s own line where /proc exists', { skip: !fs.existsSync('/proc/self/stat') && 'no /proc' }, () => {
    const standing = parseProcStat(fs.readFileSync('/proc/self/stat', 'utf8'));
    assert.ok(standing !== null);
    assert.equal(standing.pgrp > 0, true);
  });
});
