/**
 * The package as users get it: `npm pack`, install the tarball into an empty project (its
 * dependencies from the npm cache where `npm ci` left them, the registry for the package metadata
 * a fresh cache lacks: `npm ci` caches tarballs only), run it there as the README says
 * (`npx alloctrace --top 3 app.js`), and import the library entry point.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const QUIET = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
/** The cache first; the registry only for what it lacks. */
const CACHE_FIRST = { ...process.env, ...QUIET, npm_config_prefer_offline: 'true' };
/** Running the installed bin must need nothing from the network. */
const OFFLINE = { ...process.env, ...QUIET, npm_config_offline: 'true' };

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
    execFileSync(npm, ['install', '--prefer-offline', '--save-dev', path.join(dir, info.filename)], { cwd: project, stdio: 'pipe', env: CACHE_FIRST });
    fs.writeFileSync(path.join(project, 'app.js'), 'const kept = [];\nfunction hoard() { for (let i = 0; i < 200; i++) kept.push(new Array(10000).fill(i)); }\nhoard();\nglobalThis.kept = kept;\n');
    const run = spawnSync(npx, ['alloctrace', '--top', '3', 'app.js'], { cwd: project, encoding: 'utf8', env: OFFLINE });
    assert.equal(run.status, 0, run.stderr);
    // Rank and place, not bytes: the planted array is the first row.
    assert.match(run.stderr, /^Top \d+ lines? [^\n]*\napp\.js:2 \((?:in )?hoard[^)]*\): size=[\d.]+ MiB/m);
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    assert.ok(manifest.devDependencies?.['alloctrace'] !== undefined, 'npm i -D records it as a devDependency');
    const lib = spawnSync(process.execPath, ['-e', "const a = require('alloctrace'); console.log(typeof a.readTraceFile, typeof a.formatSize)"], { cwd: project, encoding: 'utf8' });
    assert.equal(lib.stdout.trim(), 'function function', lib.stderr);
  });
});
