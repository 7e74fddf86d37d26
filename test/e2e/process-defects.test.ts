/**
 * Issue 12's process defects (D6–D21 of the robustness review), each on real processes and real
 * signals: workers, core dumps, orphans, the library under `run`, nested runs, NODE_OPTIONS,
 * bad environments, tampered globals, SIGUSR1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { CLI, REPO_ROOT, scratchDir } from '../helpers/fixtures';
import { PROGRAM_NODE } from '../helpers/nodes';
import { startCli } from '../helpers/process';
import { reportOf, rowOf } from '../helpers/report';

const LIBRARY = path.join(REPO_ROOT, 'dist', 'src', 'index.js');

/** Writes `name` in a fresh folder of its own and returns its path. */
function program(name: string, code: string): string {
  const dir = fs.mkdtempSync(path.join(scratchDir(), `${name.replace(/\W/g, '')}-`));
  const file = path.join(dir, name);
  fs.writeFileSync(file, code);
  return file;
}

/** One line on stderr, `alloctrace: …`, and nothing else (no stack trace, no "internal error"). */
function assertOneLine(stderr: string, pattern: RegExp): void {
  // Node's own warnings (the permission model is experimental on Node 20) are not ours.
  stderr = stderr.replace(/^\(node:\d+\) [^\n]*\n|^\(Use `node --trace-warnings[^\n]*\n/gm, '');
  assert.match(stderr, /^alloctrace: [^\n]+\n$/, stderr);
  assert.doesNotMatch(stderr, /internal error/);
  assert.match(stderr, pattern);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Resolves once `check()` holds, polling; rejects after `tries` polls (a bound, not a timing assertion). */
async function eventually(check: () => boolean, what: string, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${what}: still not true after ${tries} polls`);
}

// A function that keeps ~`n` small objects alive: a row the report must show.
const HOLD = `function holdObjects(n) { const a = []; for (let i = 0; i < n; i++) a.push({ i, s: 'x' + i }); return a; }\n`;

describe('workers (D6, D7)', () => {
  it('D6: terminate() of one of 20 workers started together flushes that worker, under its own id and name', async () => {
    const file = program(
      'term-one.js',
      `const { Worker } = require('node:worker_threads');
const N = 20;
const code = "const { parentPort } = require('node:worker_threads'); " + ${JSON.stringify(HOLD)} + " globalThis.keep = holdObjects(20000); parentPort.postMessage('ready'); setInterval(() => {}, 1000);";
const ws = [];
let ready = 0;
for (let i = 0; i < N; i++) {
  const w = new Worker(code, { eval: true, name: 'w' + i });
  ws.push(w);
  w.on('message', () => { if (++ready === N) void go(); });
}
async function go() {
  console.log('ids ' + ws.map((w, i) => w.threadId + '=w' + i).join(' '));
  await ws[0].terminate();
  await Promise.all(ws.slice(1).map((w) => w.terminate()));
  console.log('all terminated');
}
`,
    );
    const result = await runAlloctrace(['--json', '--interval', '4096', file], { cwd: path.dirname(file) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^all terminated$/m);
    const ids = new Map(/^ids (.*)$/m.exec(result.stdout)![1]!.split(' ').map((p) => p.split('=').map((v, i) => (i === 0 ? Number(v) : v)) as [number, string]));
    const report = reportOf(result.stderr);
    const isolates = report.isolates ?? [];
    assert.equal(isolates.length, 21, isolates.map((i) => `${i.thread}:${i.name}`).join(' '));
    for (const isolate of isolates) if (isolate.thread !== 0) assert.equal(isolate.name, ids.get(isolate.thread), `thread ${isolate.thread}`);
    assert.ok(!report.notes.some((n) => /did not answer/.test(n)), report.notes.join('\n'));
  });

  it('D7: a worker terminated while it writes its exit trace keeps its trace and its exit code', async () => {
    const source = `const { Worker } = require('node:worker_threads');
const code = "const { parentPort } = require('node:worker_threads'); globalThis.fns = []; for (let i = 0; i < 3000; i++) globalThis.fns.push(new Function('a', 'return a + ' + i)); globalThis.fns.forEach((f) => f(1)); process.prependListener('exit', () => parentPort.postMessage('exiting')); process.exit(0);";
const w = new Worker(code, { eval: true, name: 'writer' });
let exitCode = null;
w.on('exit', (c) => { exitCode = c; });
w.on('message', () => { void w.terminate().then(() => setImmediate(() => console.log('worker exit ' + exitCode))); });
`;
    const file = program('midwrite.js', source);
    const result = await runAlloctrace(['--json', '--interval', '512', '--top', '1', file], { cwd: path.dirname(file) });
    assert.equal(result.code, 0, result.stderr);
    // The worker tells from its exit listener: terminate() lands while it exits (and, under
    // alloctrace, writes its trace). Plain node races here (its own 0, or 1 when terminate() wins);
    // alloctrace lets a worker that is ending by itself finish: its own 0.
    assert.equal(result.stdout, 'worker exit 0\n');
    const names = (reportOf(result.stderr).isolates ?? []).map((i) => i.name);
    assert.ok(names.includes('writer'), names.join(' '));
  });
});

describe('snapshot folders (D8)', () => {
  it('D8: a second run refuses a --snapshot-dir another run is using; the first keeps its whole series', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'dshare-'));
    const snaps = path.join(dir, 'snaps');
    const flag = path.join(dir, 'stop');
    const a = program(
      'prog-a.js',
      `${HOLD}globalThis.keep = holdObjects(10000);
console.log('READY');
let n = 0;
const t = setInterval(() => { if (require('node:fs').existsSync(${JSON.stringify(flag)}) || ++n > 600) clearInterval(t); }, 50);
`,
    );
    const b = program('prog-b.js', `${HOLD}globalThis.keep = holdObjects(10000); setTimeout(() => {}, 600);\n`);
    const first = startCli(['--node', PROGRAM_NODE, '--snapshot-dir', snaps, '--snapshot-every', '100ms', a], { cwd: dir });
    await first.waitFor('READY');
    const second = await runAlloctrace(['--snapshot-dir', snaps, '--snapshot-every', '100ms', b], { cwd: dir });
    fs.writeFileSync(flag, '');
    const ended = await first.done;
    assert.equal(ended.code, 0, ended.stderr);
    assert.equal(second.code, 2, second.stderr);
    assertOneLine(second.stderr, /snaps is in use by another alloctrace run \(pid \d+\)/);
    const pids = new Set(
      fs
        .readdirSync(snaps)
        .filter((f) => f.endsWith('.trace'))
        .map((f) => (JSON.parse(fs.readFileSync(path.join(snaps, f), 'utf8')) as { meta: { pid: number } }).meta.pid),
    );
    assert.equal(pids.size, 1, [...pids].join(' '));
    // Released at the end: the folder is free again (its snapshots replaced with --force).
    const third = await runAlloctrace(['--snapshot-dir', snaps, '--snapshot-every', '100ms', '--force', b], { cwd: dir });
    assert.equal(third.code, 0, third.stderr);
  });
});

/** `pr_pid` of an ELF core file's NT_PRPSINFO note (x86-64 / aarch64 layout), or null. */
function corePid(file: string): number | null {
  const core = fs.readFileSync(file);
  if (core.readUInt32BE(0) !== 0x7f454c46 || core[4] !== 2) return null;
  const phoff = Number(core.readBigUInt64LE(0x20));
  const phentsize = core.readUInt16LE(0x36);
  const phnum = core.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (core.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    const start = Number(core.readBigUInt64LE(ph + 8));
    const end = start + Number(core.readBigUInt64LE(ph + 32));
    for (let at = start; at + 12 <= end; ) {
      const namesz = core.readUInt32LE(at);
      const descsz = core.readUInt32LE(at + 4);
      const type = core.readUInt32LE(at + 8);
      const desc = at + 12 + Math.ceil(namesz / 4) * 4;
      if (type === 3) return core.readInt32LE(desc + 24); // NT_PRPSINFO: pr_pid
      at = desc + Math.ceil(descsz / 4) * 4;
    }
  }
  return null;
}

const corePattern = ((): string => {
  try {
    return fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
  } catch {
    return '';
  }
})();

describe('core dumps (D9)', () => {
  it('D9: the core dump of a program killed by SIGSEGV is its own, not the CLI\'s', { skip: corePattern !== 'core' && 'needs core_pattern "core"' }, () => {
    const file = program('segv.js', "console.log('pid ' + process.pid); process.kill(process.pid, 'SIGSEGV');\n");
    const dir = path.dirname(file);
    const result = spawnSync('sh', ['-c', 'ulimit -c unlimited || exit 99; exec "$0" "$@"', process.execPath, CLI, '--node', PROGRAM_NODE, file], { cwd: dir, encoding: 'utf8' });
    assert.notEqual(result.status, 99, 'cannot raise the core size limit here');
    const pid = Number(/^pid (\d+)$/m.exec(result.stdout)?.[1]);
    // The shell's view of a death by SIGSEGV: 139.
    assert.ok(result.status === 139 || result.signal === 'SIGSEGV', `${result.status} ${result.signal}`);
    const core = path.join(dir, 'core');
    assert.ok(fs.existsSync(core), 'the program dumped no core');
    assert.equal(corePid(core), pid, 'the core is not the program\'s');
    fs.rmSync(core);
  });

  it('D9: with core dumps off (the usual limit 0), the death by SIGSEGV still passes through as a signal', { skip: corePattern.startsWith('|') && 'core_pattern is a pipe' }, () => {
    const file = program('segv0.js', "process.kill(process.pid, 'SIGSEGV');\n");
    const result = spawnSync('sh', ['-c', 'ulimit -c 0 && exec "$0" "$@"', process.execPath, CLI, '--node', PROGRAM_NODE, file], { cwd: path.dirname(file), encoding: 'utf8' });
    assert.equal(result.signal, 'SIGSEGV', `${result.status} ${result.stderr}`);
    assert.ok(!fs.existsSync(path.join(path.dirname(file), 'core')));
  });
});

describe('orphans (D10)', () => {
  it('D10: SIGKILL of the CLI ends the program too, and leaves no temporary folder', async () => {
    const tmp = fs.mkdtempSync(path.join(scratchDir(), 'tmpdir-'));
    const file = program('idle.js', "console.log('READY ' + process.pid); setTimeout(() => console.log('idle done'), 60000);\n");
    const cli = startCli(['--node', PROGRAM_NODE, file], { cwd: path.dirname(file), env: { TMPDIR: tmp } });
    await cli.waitFor('READY');
    process.kill(cli.pid, 'SIGKILL');
    const ended = await cli.done;
    assert.equal(ended.signal, 'SIGKILL');
    const programPid = Number(/READY (\d+)/.exec(ended.stdout)?.[1]);
    assert.ok(programPid > 0, ended.stdout);
    await eventually(() => !alive(programPid), `program ${programPid} still running`);
    await eventually(() => fs.readdirSync(tmp).length === 0, `left in TMPDIR: ${fs.readdirSync(tmp).join(' ')}`, 50);
  });
});

describe('the library under alloctrace run (D11)', () => {
  it('D11: start() … stop() in the program keeps the run\'s trace', async () => {
    const file = program(
      'api-stop.js',
      `const alloctrace = require(${JSON.stringify(LIBRARY)});
${HOLD}alloctrace.start();
globalThis.keep = holdObjects(100000);
const top = alloctrace.takeSnapshot().statistics('lineno')[0];
console.log('api top ' + (top && top.traceback[0] && top.traceback[0].function));
alloctrace.stop();
`,
    );
    const result = await runAlloctrace(['--json', file], { cwd: path.dirname(file) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^api top holdObjects$/m);
    assert.doesNotMatch(result.stderr, /could not write|no trace was written/);
    const row = rowOf(reportOf(result.stderr), 'holdObjects');
    assert.ok(row.size > 2e6, String(row.size));
  });

  it('D11: clearTraces() clears the library\'s view only: the run still reports memory held from before', async () => {
    const file = program(
      'api-clear.js',
      `const alloctrace = require(${JSON.stringify(LIBRARY)});
${HOLD}function holdLater(n) { const a = []; for (let i = 0; i < n; i++) a.push({ i, later: true }); return a; }
alloctrace.start();
globalThis.early = holdObjects(100000);
alloctrace.clearTraces();
globalThis.late = holdLater(100000);
const fns = alloctrace.takeSnapshot().statistics('lineno').map((s) => s.traceback[0] && s.traceback[0].function);
console.log('api sees holdObjects ' + fns.includes('holdObjects') + ' holdLater ' + fns.includes('holdLater'));
`,
    );
    const result = await runAlloctrace(['--json', file], { cwd: path.dirname(file) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^api sees holdObjects false holdLater true$/m);
    const report = reportOf(result.stderr);
    assert.ok(rowOf(report, 'holdObjects').size > 2e6);
    assert.ok(rowOf(report, 'holdLater').size > 2e6);
  });
});

describe('nested runs (D12)', () => {
  it('D12: alloctrace run inside a program traced with --children keeps the inner run\'s trace', async () => {
    const inner = program('ok2.js', `${HOLD}globalThis.keep = holdObjects(100000);\n`);
    const outer = program(
      'nested.js',
      `const r = require('node:child_process').spawnSync(process.execPath, [${JSON.stringify(CLI)}, '--json', ${JSON.stringify(inner)}], { encoding: 'utf8' });
console.log('inner exit ' + r.status);
require('node:fs').writeFileSync(__dirname + '/inner.err', r.stderr);
`,
    );
    const result = await runAlloctrace(['--children', '--json', outer], { cwd: path.dirname(outer) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^inner exit 0$/m);
    const innerErr = fs.readFileSync(path.join(path.dirname(outer), 'inner.err'), 'utf8');
    assert.doesNotMatch(innerErr, /no trace was written/);
    assert.ok(rowOf(reportOf(innerErr), 'holdObjects').size > 2e6);
  });
});

describe('NODE_OPTIONS (D17)', () => {
  it('D17: with NODE_OPTIONS=--heap-prof the counts use the interval V8 really samples at, and a note says so', async () => {
    const file = program('small.js', `${HOLD}globalThis.keep = holdObjects(200000);\n`);
    const result = await runAlloctrace(['--json', file], { cwd: path.dirname(file), env: { NODE_OPTIONS: '--heap-prof' } });
    assert.equal(result.code, 0, result.stderr);
    const report = reportOf(result.stderr);
    const row = rowOf(report, 'holdObjects');
    // ~200 K objects of ~50–100 B: the count is in the hundreds of thousands, not a few dozen.
    assert.ok(row.count > 50_000, `count ${row.count}`);
    assert.ok(report.notes.some((n) => /--heap-prof/.test(n)), report.notes.join('\n'));
  });
});

const permissionFlag = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';

describe('bad environments (D18)', () => {
  const ok = (): string => program('ok.js', "console.log('ran');\n");
  it('D18: a missing TMPDIR is one line, exit 2', async () => {
    const result = await runAlloctrace([ok()], { env: { TMPDIR: path.join(scratchDir(), 'no-such-tmp') } });
    assert.equal(result.code, 2, result.stderr);
    assertOneLine(result.stderr, /temporary folder/);
  });
  it('D18: --snapshot-dir naming a regular file is one line, exit 2', async () => {
    const file = ok();
    const result = await runAlloctrace(['--snapshot-dir', file, '--snapshot-every', '1s', file]);
    assert.equal(result.code, 2, result.stderr);
    assertOneLine(result.stderr, /not a folder/);
  });
  it('D18: --node "" is one line, exit 2', async () => {
    const result = await runAlloctrace(['run', '--node', '', ok()]);
    assert.equal(result.code, 2, result.stderr);
    assertOneLine(result.stderr, /--node/);
  });
  it("D18: Node's permission model in NODE_OPTIONS is one line, exit 2", async () => {
    const result = await runAlloctrace([ok()], { env: { NODE_OPTIONS: `${permissionFlag} --allow-fs-read=*` } });
    assert.equal(result.code, 2, result.stderr);
    assertOneLine(result.stderr, /permission/);
  });
});

describe('tampered globals (D20)', () => {
  const tampers: Record<string, string> = {
    Date: 'globalThis.Date = function () { throw new Error("tampered"); };',
    'JSON.stringify': 'JSON.stringify = () => "tampered";',
    'fs.openSync/writeSync': 'const fs = require("node:fs"); fs.openSync = () => { throw new Error("tampered"); }; fs.writeSync = () => 0;',
    'Array.prototype.map/filter/push': 'Array.prototype.map = function () { return []; }; Array.prototype.filter = function () { return []; }; Array.prototype.push = function () { return 0; };',
    'Object.prototype.toJSON': 'Object.prototype.toJSON = function () { return "tampered"; };',
    'Object.prototype.error': 'Object.prototype.error = 5;',
    'Math.max': 'Math.max = () => NaN;',
    'os.platform': 'require("node:os").platform = () => { throw new Error("tampered"); };',
    'Array.prototype[Symbol.iterator]': 'Array.prototype[Symbol.iterator] = function* () {};',
    'Map.prototype.get': 'Map.prototype.get = () => undefined;',
    'String.prototype.startsWith': 'String.prototype.startsWith = () => true;',
  };
  for (const [what, tamper] of Object.entries(tampers)) {
    it(`D20: a program that overrides ${what} before exiting still gets its trace, exit code and report`, async () => {
      const file = program('tamper.js', `${HOLD}globalThis.keep = holdObjects(100000);\n${tamper}\nprocess.exitCode = 3;\n`);
      const result = await runAlloctrace(['--json', file], { cwd: path.dirname(file) });
      assert.equal(result.code, 3, result.stderr);
      assert.doesNotMatch(result.stderr, /could not write|no trace was written|TypeError|warning/);
      assert.ok(rowOf(reportOf(result.stderr), 'holdObjects').size > 2e6);
    });
  }
});

describe('SIGUSR1 (D21)', () => {
  it('D21: SIGUSR1 to the CLI opens no inspector in it; the program gets the signal', async () => {
    const file = program(
      'usr1.js',
      "process.on('SIGUSR1', () => { console.log('got SIGUSR1'); clearTimeout(t); });\nconst t = setTimeout(() => {}, 30000);\nconsole.log('READY');\n",
    );
    const cli = startCli(['--node', PROGRAM_NODE, file], { cwd: path.dirname(file) });
    await cli.waitFor('READY');
    process.kill(cli.pid, 'SIGUSR1');
    const ended = await cli.done;
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stdout, /^got SIGUSR1$/m);
    assert.doesNotMatch(ended.stderr, /Debugger listening|inspector/i);
  });
});
