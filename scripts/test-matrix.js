#!/usr/bin/env node
// The release-line matrix: for each pinned Node (scripts/install-nodes.js), two jobs:
//   program-on-N: this Node runs the tests and the CLI; traced programs run on Node N (`--node`,
//                 through ALLOCTRACE_TEST_NODE), over every file in dist/test/e2e;
//   cli-on-N:     Node N runs the whole suite, so the CLI, the library and the programs run on N.
// The machine's own Node is covered by `npm test`. Needs `npm run build` first (npm run test:matrix
// does it). Arguments: majors to run (default all). ALLOCTRACE_MATRIX_JOBS: jobs at once (default 2).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureNodes } = require('./install-nodes');

const ROOT = path.join(__dirname, '..');
const RUN_TESTS = path.join(__dirname, 'run-tests.js');
const E2E = path.join(ROOT, 'dist', 'test', 'e2e');

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return find(full);
    return e.name.endsWith('.test.js') ? [full] : [];
  });
}

function runJob(job) {
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(job.node, [RUN_TESTS, ...job.files], { cwd: ROOT, env: { ...process.env, ...job.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
    child.once('close', (code, signal) => resolve({ ...job, code, signal, output, seconds: (Date.now() - start) / 1000 }));
  });
}

async function main() {
  if (!fs.existsSync(E2E)) throw new Error('dist/test/e2e is missing: run `npm run build` first');
  const wanted = process.argv.slice(2).map(Number);
  const nodes = ensureNodes({ log: (line) => console.log(line) }).filter((n) => wanted.length === 0 || wanted.includes(n.major));
  const e2e = find(E2E).sort();
  const TEST_NODE = 'ALLOCTRACE_TEST_NODE';
  const jobs = nodes.flatMap(({ version, node }) => [
    { name: `program-on-${version}`, node: process.execPath, files: e2e, env: { [TEST_NODE]: node } },
    { name: `cli-on-${version}`, node, files: [], env: { [TEST_NODE]: '' } },
  ]);
  const width = Number(process.env.ALLOCTRACE_MATRIX_JOBS) || 2;
  console.log(`test matrix: ${jobs.length} jobs, ${width} at a time; e2e files: ${e2e.map((f) => path.relative(E2E, f)).join(', ')}`);
  const started = Date.now();
  const results = [];
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
        const result = await runJob(job);
        results.push(result);
        const status = result.code === 0 ? 'ok' : `FAILED (${result.signal ?? `exit ${result.code}`})`;
        console.log(`\n===== ${result.name}: ${status} in ${result.seconds.toFixed(1)} s`);
        if (result.code !== 0 || process.env.ALLOCTRACE_MATRIX_VERBOSE) console.log(result.output);
      }
    }),
  );
  console.log('\ntest matrix summary');
  const totals = { pass: 0, fail: 0, skipped: 0 };
  for (const r of results.sort((a, b) => a.name.localeCompare(b.name))) {
    const summary = /ℹ pass (\d+)[\s\S]*?ℹ fail (\d+)[\s\S]*?ℹ skipped (\d+)/.exec(r.output);
    const counts = summary === null ? '' : `pass ${summary[1]}, fail ${summary[2]}, skipped ${summary[3]}`;
    if (summary === null) totals.fail += r.code === 0 ? 0 : 1;
    else {
      totals.pass += Number(summary[1]);
      totals.fail += Number(summary[2]);
      totals.skipped += Number(summary[3]);
    }
    console.log(`  ${r.name.padEnd(24)} ${r.code === 0 ? 'ok    ' : 'FAILED'} ${r.seconds.toFixed(1).padStart(6)} s  ${counts}`);
  }
  console.log(`  total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The plain closing line CI reads: every job's tests added up.
  console.log(`matrix: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
  if (results.some((r) => r.code !== 0)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`test-matrix: ${error.message}`);
  process.exitCode = 1;
});
