/**
 * `compare` on folders: a folder alone is a series of its snapshots; a folder beside another is
 * one run (its process traces merged), e.g. two `run --children -o <folder>` runs.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { buildFixture, scratchDir } from '../helpers/fixtures';

interface Row { file: string | null; function: string; sizeDiff: number }

describe('compare on folders', () => {
  it('a snapshot folder given alone is a series; two --children runs compare as wholes', async () => {
    const fixture = buildFixture('leakserver', 'tsc-cjs');
    const snapshots = fs.mkdtempSync(path.join(scratchDir(), 'series-dir-'));
    const run = await runAlloctrace(['run', '--snapshot-dir', snapshots, '--snapshot-every', '150ms', fixture.entry, '300'], { cwd: fixture.dir });
    assert.equal(run.code, 0, run.stderr);
    const count = fs.readdirSync(snapshots).filter((f) => f.endsWith('.trace')).length;
    assert.ok(count >= 3, `${count} snapshots`);
    const series = await runAlloctrace(['compare', '--json', snapshots], { cwd: fixture.dir });
    assert.equal(series.code, 0, series.stderr);
    const report = JSON.parse(series.stdout) as { traces: string[] };
    assert.equal(report.traces.length, count);
    assert.deepEqual(report.traces, [...report.traces].sort());

    // A parent that forks a child; only the child's allocation grows between the two runs.
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'children-'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"kids","private":true}');
    fs.writeFileSync(path.join(dir, 'parent.js'), "const { fork } = require('node:child_process');\nconst kept = [];\nfunction parentKeeps() { for (let i = 0; i < 60; i++) kept.push(new Array(10000).fill(i)); }\nparentKeeps();\nglobalThis.kept = kept;\nfork(require('node:path').join(__dirname, 'child.js'), [process.argv[2]]).on('exit', (code) => process.exit(code));\n");
    fs.writeFileSync(path.join(dir, 'child.js'), "const kept = [];\nfunction childHoards(n) { for (let i = 0; i < n; i++) kept.push(new Array(10000).fill(i)); }\nchildHoards(Number(process.argv[2]));\nglobalThis.kept = kept;\n");
    const outA = path.join(dir, 'a');
    const outB = path.join(dir, 'b');
    fs.mkdirSync(outA);
    fs.mkdirSync(outB);
    for (const [out, n] of [[outA, '20'], [outB, '220']] as const) {
      const r = await runAlloctrace(['run', '--children', '-o', out, '--force', path.join(dir, 'parent.js'), n], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fs.readdirSync(out).filter((f) => f.endsWith('.trace')).length, 2, fs.readdirSync(out).join(','));
    }
    const diff = await runAlloctrace(['compare', '--json', outA, outB], { cwd: dir });
    assert.equal(diff.code, 0, diff.stderr);
    const rows = (JSON.parse(diff.stdout) as { stats: Row[] }).stats;
    assert.equal(rows[0]?.function, 'childHoards');
    // 200 more arrays of 80 KB in the child: ~16 MB.
    assert.ok((rows[0]?.sizeDiff ?? 0) > 10e6, `sizeDiff ${rows[0]?.sizeDiff}`);
    const parentRow = rows.find((r) => r.function === 'parentKeeps');
    assert.ok(parentRow !== undefined && Math.abs(parentRow.sizeDiff) < 3e6, JSON.stringify(parentRow));

    // A missing pid is a one-line usage error listing what the traces hold.
    const bad = await runAlloctrace(['compare', '--pid', '1', outA, outB], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^alloctrace: no pid 1 in the trace \(it holds: /);
  });
});
