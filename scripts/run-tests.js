#!/usr/bin/env node
// Runs node's test runner on dist/test/**/*.test.js (Node 20's --test takes no globs).
// Extra arguments are passed to `node --test` (e.g. --test-name-pattern=compare); a path
// argument ending in .test.js selects files, a folder (dist/test/unit) every test file in it.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', 'dist', 'test');
const args = process.argv.slice(2);
const isFolder = (a) => !a.startsWith('-') && fs.existsSync(a) && fs.statSync(a).isDirectory();
const picked = args.filter((a) => a.endsWith('.test.js'));
const folders = args.filter(isFolder);
const flags = args.filter((a) => !a.endsWith('.test.js') && !isFolder(a));

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return find(full);
    return e.name.endsWith('.test.js') ? [full] : [];
  });
}

const files = picked.length > 0 || folders.length > 0 ? [...picked, ...folders.flatMap((f) => find(f).sort())] : find(root).sort();
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...flags, ...files], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
