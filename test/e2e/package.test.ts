/**
 * The package as users get it: `npm pack`, install the tarball into an empty project, run the
 * installed bin on a script, and import the library entry point.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('packed package', () => {
  it('installs from its tarball and traces a script with the installed bin', () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'pack-'));
    // --ignore-scripts: dist/ is already built by `npm test`; pack only what is there.
    const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO_ROOT, encoding: 'utf8' })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const info = packed[0];
    assert.ok(info !== undefined);
    const files = info.files.map((f) => f.path);
    assert.ok(files.includes('bin/alloctrace.js'));
    assert.ok(files.includes('dist/src/capture/preload.js'));
    assert.ok(files.includes('dist/src/index.d.ts'));
    assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.startsWith('test/')), 'tests are not shipped');

    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"consumer","private":true}');
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, info.filename)], { cwd: project, stdio: 'pipe' });
    fs.writeFileSync(path.join(project, 'app.js'), 'const kept = [];\nfunction hoard() { for (let i = 0; i < 200; i++) kept.push(new Array(10000).fill(i)); }\nhoard();\nglobalThis.kept = kept;\n');
    const bin = path.join(project, 'node_modules', '.bin', 'alloctrace');
    const run = spawnSync(bin, ['--top', '1', 'app.js'], { cwd: project, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /^app\.js:2 \(hoard\): size=[\d.]+ MiB/m);
    const lib = spawnSync(process.execPath, ['-e', "const a = require('alloctrace'); console.log(typeof a.readTraceFile, typeof a.formatSize)"], { cwd: project, encoding: 'utf8' });
    assert.equal(lib.stdout.trim(), 'function function', lib.stderr);
  });
});
