/** The snapshot folder: refusing to mix two runs, --force, and the name order a shell glob gives. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { snapshotFileName } from '../../src/capture/snapshots';
import { prepareSnapshotDir, releaseSnapshotDir } from '../../src/cli/snapshot-dir';
import { scratchDir } from '../helpers/fixtures';

describe('snapshot folder', () => {
  it('names sort in sequence order', () => {
    const names = [1, 2, 10, 9999].map(snapshotFileName);
    assert.deepEqual(names, ['snapshot-0001.trace', 'snapshot-0002.trace', 'snapshot-0010.trace', 'snapshot-9999.trace']);
    assert.deepEqual([...names].sort(), names);
  });

  it('is created; an earlier run there is refused, and cleared with force (other files kept)', () => {
    const dir = path.join(scratchDir(), 'snapdir', 'nested');
    assert.equal(prepareSnapshotDir(dir, '/', false), dir);
    assert.ok(fs.statSync(dir).isDirectory());
    releaseSnapshotDir(dir);
    fs.writeFileSync(path.join(dir, snapshotFileName(1)), '{}');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    assert.throws(() => prepareSnapshotDir(dir, '/', false), /already holds 1 snapshot\(s\) of an earlier run; use another folder, or --force/);
    prepareSnapshotDir(dir, '/', true);
    releaseSnapshotDir(dir);
    assert.deepEqual(fs.readdirSync(dir), ['notes.txt']);
  });
});
