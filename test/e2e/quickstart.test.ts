/**
 * The README's quick start on what a fresh clone has after `npm install`: the bundled example is
 * built by the install (its dist/ is not in git) and the leak is the top row.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/fixtures';

describe('README quick start', () => {
  it('the example is built by the build, not committed, and its leak is the top row', async () => {
    let tracked: string | null = null;
    try {
      tracked = execFileSync('git', ['ls-files', 'examples'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      tracked = null; // not a git checkout (e.g. an unpacked tarball): nothing to check
    }
    if (tracked !== null) assert.doesNotMatch(tracked, /\/dist\//, 'built examples must come from the build, not from git');
    const result = await runAlloctrace(['--top', '10', path.join('examples', 'leaky-cache', 'dist', 'server.js')], { cwd: REPO_ROOT });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /served 400 requests/);
    assert.match(result.stderr, /^examples\/leaky-cache\/src\/lru\.ts:\d+ \((?:in )?add[,)]/m);
    const firstRow = result.stderr.split('\n')[1] ?? '';
    assert.match(firstRow, /^examples\/leaky-cache\/src\/lru\.ts:/);
  });
});
