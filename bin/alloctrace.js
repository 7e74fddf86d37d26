#!/usr/bin/env node
// Node 22.1+ keeps the CLI's compiled code between runs (a quiet optimization: never fails the CLI).
// In node_modules/.cache, as other tools' caches: never in TMPDIR, where Node's default would leave
// a folder behind every run (and create a TMPDIR that does not exist, hiding that error).
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const modules = path.basename(path.dirname(root)) === 'node_modules' ? path.dirname(root) : path.join(root, 'node_modules');
require('node:module').enableCompileCache?.(path.join(modules, '.cache', 'alloctrace-compile'));
require('../dist/src/cli/main.js');
