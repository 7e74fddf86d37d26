/**
 * Issue 12's input defects (docs/robustness-review): full disks, special files, malformed maps,
 * crafted traces, symlinks and modes. Each test is named after its defect and failed before the fix.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { CLI, scratchDir } from '../helpers/fixtures';

const HOLD = `function hold() { const a = []; for (let i = 0; i < 200; i++) a.push(new Array(5000).fill(i)); return a; }\nglobalThis.kept = hold();\n`;
// Allocated mode at 256 bytes: tens of thousands of samples, a trace of about a megabyte.
const BIG = `const keep = []; for (let i = 0; i < 40000; i++) keep.push({ i, s: 'x' + i, a: [i, i] }); globalThis.keep = keep; console.log('ran big');\n`;

function dir(name: string): string {
  const d = path.join(scratchDir(), 'inputs', name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function write(folder: string, name: string, content: string): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Lines alloctrace itself printed. */
function ownLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('alloctrace: '));
}

function hiddenFiles(folder: string): string[] {
  return fs.readdirSync(folder).filter((f) => f.startsWith('.'));
}

/** A small tmpfs (we run as root in CI and here); `null` with the reason when it cannot be mounted. */
function mountSmall(at: string, kib: number): string | null {
  fs.mkdirSync(at, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', at], { encoding: 'utf8' });
  return mounted.status === 0 ? null : `cannot mount a tmpfs (${(mounted.stderr || mounted.error?.message || '').trim()})`;
}

/** Leaves `freeKib` free on the filesystem at `at` (tmpfs counts in pages). */
function fill(at: string, freeKib: number): void {
  const free = (): number => {
    const stat = fs.statfsSync(at);
    return (stat.bavail * stat.bsize) / 1024;
  };
  const filler = path.join(at, `filler-${fs.readdirSync(at).length}`);
  const fd = fs.openSync(filler, 'w');
  try {
    const chunk = Buffer.alloc(4096, 1);
    while (free() > freeKib) fs.writeSync(fd, chunk);
  } catch {
    // ENOSPC: full, which is what 0 free asks for
  } finally {
    fs.closeSync(fd);
  }
}

describe('full disks (D3, D19) on a real small tmpfs', () => {
  const root = path.join(scratchDir(), 'inputs', 'tmpfs');
  let skip: string | null = null;
  let big = '';
  let bigTrace = '';
  before(async () => {
    skip = mountSmall(root, 600);
    const work = dir('disk-work');
    big = write(work, 'big.js', BIG);
    bigTrace = path.join(work, 'big.trace');
    const made = await runAlloctrace(['--interval', '256', '--mode', 'allocated', '--top', '1', '-o', bigTrace, big]);
    assert.equal(made.code, 0, made.stderr);
    assert.ok(fs.statSync(bigTrace).size > 300 * 1024, `trace of ${fs.statSync(bigTrace).size} bytes: too small to fill the disk`);
  });
  after(() => {
    if (skip === null) spawnSync('umount', [root]);
  });

  it('D3: run -o, export, snapshots and show output on a full disk: every byte or one line and a failure, never a truncated file', async (t) => {
    if (skip !== null) return t.skip(skip);
    const small = path.join(root, 'd3');
    fs.mkdirSync(small);
    fill(root, 200);
    const out = path.join(small, 'out.trace');
    const run = await runAlloctrace(['--interval', '256', '--mode', 'allocated', '--top', '1', '-o', out, big]);
    assert.equal(run.code, 0, 'the program exit code passes through');
    assert.match(run.stdout, /ran big/);
    assert.deepEqual(ownLines(run.stderr).filter((l) => /cannot write/.test(l)).length, 1, run.stderr);
    assert.match(run.stderr, /^alloctrace: cannot write .*out\.trace: ENOSPC/m);
    assert.equal(fs.existsSync(out), false, 'no truncated trace');

    const exported = await runAlloctrace(['export', bigTrace, '-o', path.join(small, 'out.heapprofile')]);
    assert.equal(exported.code, 2, exported.stderr);
    assert.deepEqual(ownLines(exported.stderr).length, 1, exported.stderr);
    assert.match(exported.stderr, /^alloctrace: cannot write .*out\.heapprofile: ENOSPC/m);
    assert.doesNotMatch(exported.stderr, /wrote/);
    assert.equal(fs.existsSync(path.join(small, 'out.heapprofile')), false);

    // The report itself into a full disk: one line, a failure.
    fill(root, 8);
    const report = path.join(small, 'report.json');
    const fd = fs.openSync(report, 'w');
    const shown = spawnSync(process.execPath, [CLI, 'show', '--json', '--group-by', 'traceback', '--top', '100000', bigTrace], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    fs.closeSync(fd);
    assert.equal(shown.status, 2, shown.stderr);
    assert.equal(ownLines(shown.stderr).length, 1, shown.stderr);
    fs.rmSync(report);

    const snaps = path.join(small, 'snaps');
    const snapped = await runAlloctrace(['--interval', '256', '--mode', 'allocated', '--snapshot-dir', snaps, '--snapshot-every', '500ms', '--top', '1', write(dir('disk-work'), 'slow.js', `${BIG}setTimeout(() => {}, 1200);\n`)]);
    assert.equal(snapped.code, 0, snapped.stderr);
    for (const name of fs.readdirSync(snaps)) {
      assert.ok(!name.startsWith('.'), `temporary file left: ${name}`);
      const check = await runAlloctrace(['show', '--top', '1', path.join(snaps, name)]);
      assert.equal(check.code, 0, `${name} is not a whole trace: ${check.stderr}`);
    }
    assert.deepEqual(hiddenFiles(small), []);
  });

  it('D3: library snapshot.dump() on a full disk throws and leaves no file', async (t) => {
    if (skip !== null) return t.skip(skip);
    const small = path.join(root, 'd3-api');
    fs.mkdirSync(small);
    fill(root, 150);
    const file = path.join(small, 'dumped.trace');
    const program = write(dir('disk-work'), 'dump.js', `const at = require(${JSON.stringify(path.resolve(CLI, '..', '..'))});
at.start({ interval: 256, mode: 'allocated' }); ${BIG}
try { at.takeSnapshot().dump(${JSON.stringify(file)}); console.log('dumped'); } catch (e) { console.log('threw ' + e.code); }
at.stop();\n`);
    const ran = spawnSync(process.execPath, [program], { encoding: 'utf8' });
    assert.match(ran.stdout, /threw ENOSPC/, ran.stdout + ran.stderr);
    assert.deepEqual(fs.readdirSync(small), []);
  });

  it('D3: a full TMPDIR: the in-process trace fails in one line naming the disk, no corrupt-JSON warning', async (t) => {
    if (skip !== null) return t.skip(skip);
    const tmp = path.join(root, 'd3-tmp');
    fs.mkdirSync(tmp);
    fill(root, 150);
    const ran = await runAlloctrace(['--interval', '256', '--mode', 'allocated', '--top', '1', big], { env: { TMPDIR: tmp } });
    assert.equal(ran.code, 0, ran.stderr);
    assert.doesNotMatch(ran.stderr, /truncated or corrupt JSON/);
    assert.match(ran.stderr, /could not write the trace: ENOSPC/);
    assert.deepEqual(fs.readdirSync(tmp), [], 'the run folder is removed');
  });

  it('D19: with 0 bytes free, run -o and export leave no hidden temporary file', async (t) => {
    if (skip !== null) return t.skip(skip);
    const small = path.join(root, 'd19');
    fs.mkdirSync(small);
    fill(root, 0);
    const run = await runAlloctrace(['--top', '1', '-o', path.join(small, 'zero.trace'), write(dir('disk-work'), 'hold.js', HOLD)]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /cannot write .*zero\.trace/);
    const exported = await runAlloctrace(['export', bigTrace, '-o', path.join(small, 'z.hp')]);
    assert.equal(exported.code, 2, exported.stderr);
    assert.deepEqual(fs.readdirSync(small), []);
  });
});

describe('special files (D5)', () => {
  it('D5: a sourceMappingURL naming /dev/zero, file:///dev/zero, a FIFO or /dev/stdin: the run ends, one warning each, exit code kept', async () => {
    const d = dir('d5-maps');
    const fifo = path.join(d, 'map.fifo');
    spawnSync('mkfifo', [fifo]);
    const urls = ['/dev/zero', 'file:///dev/zero', fifo, '/dev/stdin'];
    const scripts = urls.map((url, i) => write(d, `s${i}.js`, `${HOLD.replace('kept', `kept${i}`)}//# sourceMappingURL=${url}\n`));
    const main = write(d, 'main.js', `${scripts.map((s) => `require(${JSON.stringify(s)});`).join('\n')}\nconsole.log('ran zero'); process.exitCode = 3;\n`);
    // The hang bound: a run that reads /dev/zero never ends, this one ends in seconds.
    const ran = await runAlloctrace(['--top', '3', main], { timeoutMs: 60_000, input: 'not a map' });
    assert.equal(ran.signal, null, 'not killed by the hang bound');
    assert.equal(ran.code, 3, ran.stderr);
    assert.match(ran.stdout, /ran zero/);
    // /dev/stdin is the CLI's stdin: here a socket, which cannot even be opened by name (ENXIO).
    for (let i = 0; i < urls.length; i++) assert.match(ran.stderr, new RegExp(`warning: .*s${i}\\.js: source map .*(?:not a regular file|ENXIO)`), ran.stderr);
  });

  it('D5: show of /dev/zero, a FIFO, a folder holding a FIFO and a 2 GiB sparse trace: one line, exit 2, at once', async () => {
    const d = dir('d5-traces');
    const fifo = path.join(d, 'fifo.trace');
    spawnSync('mkfifo', [fifo]);
    const sparse = path.join(dir('d5-sparse'), 'sparse.trace');
    fs.writeFileSync(sparse, '{');
    fs.truncateSync(sparse, 2 * 1024 * 1024 * 1024);
    for (const target of ['/dev/zero', fifo, d, sparse]) {
      const shown = await runAlloctrace(['show', target], { timeoutMs: 60_000 });
      assert.equal(shown.signal, null, `${target}: not killed by the hang bound`);
      assert.equal(shown.code, 2, `${target}: ${shown.stderr}`);
      assert.equal(ownLines(shown.stderr).length, 1, shown.stderr);
      assert.match(shown.stderr, /not a regular file|too large/);
    }
  });

  it('D5: a trace naming /dev/zero, file:///dev/zero or a FIFO as a script: show reports it without reading them', async () => {
    const d = dir('d5-named');
    const fifo = path.join(d, 'script.fifo');
    spawnSync('mkfifo', [fifo]);
    const out = path.join(d, 'real.trace');
    const made = await runAlloctrace(['--top', '1', '-o', out, write(d, 'hold.js', HOLD)]);
    assert.equal(made.code, 0, made.stderr);
    const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as { scripts: Array<Record<string, unknown>> };
    for (const url of ['/dev/zero', 'file:///dev/zero', fifo]) {
      const own = trace.scripts.findIndex((s) => String(s['url']).endsWith('hold.js'));
      trace.scripts[own] = { url, path: url, map: 'unresolved' };
      const crafted = write(d, 'crafted.trace', JSON.stringify(trace));
      const shown = await runAlloctrace(['show', '--top', '3', crafted], { timeoutMs: 60_000 });
      assert.equal(shown.signal, null, `${url}: not killed by the hang bound`);
      assert.equal(shown.code, 0, shown.stderr);
    }
  });
});

describe('malformed maps (D4, D25)', () => {
  it('D4: a map with non-string names and sources degrades its own file; the exit code passes through and the saved trace reads back', async () => {
    const d = dir('d4');
    const file = write(d, 'm-types.js', `${HOLD}console.log('ran'); process.exitCode = 4;\n//# sourceMappingURL=m-types.js.map\n`);
    write(d, 'm-types.js.map', '{"version":3,"sources":[1,null,{}],"names":[1,{}],"mappings":"AAAA,SAASA"}');
    const out = path.join(d, 'mt.trace');
    const ran = await runAlloctrace(['--top', '1', '-o', out, file]);
    assert.equal(ran.code, 4, ran.stderr);
    assert.doesNotMatch(ran.stderr, /internal error/);
    assert.match(ran.stderr, /warning: .*m-types\.js: source map is malformed: a source is not a string/);
    const shown = await runAlloctrace(['show', '--top', '1', out]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stderr + shown.stdout, /m-types\.js:1 \(/);
  });

  it("D25: maps with a byte order mark or the XSSI prefix )]}' are read; version \"3\" is named as a string", async () => {
    const d = dir('d25');
    const map = (source: string): string => JSON.stringify({ version: 3, sources: [source], names: [], mappings: 'AAAA' });
    const bom = write(d, 'bom.js', `${HOLD.replace(/\n/g, ' ')}\n//# sourceMappingURL=bom.js.map\n`);
    write(d, 'bom.js.map', `\ufeff${map('bom-src.ts')}`);
    const xssi = write(d, 'xssi.js', `${HOLD.replace(/\n/g, ' ')}\n//# sourceMappingURL=xssi.js.map\n`);
    write(d, 'xssi.js.map', `)]}'\n${map('xssi-src.ts')}`);
    const v = write(d, 'v.js', `${HOLD.replace(/\n/g, ' ')}\n//# sourceMappingURL=v.js.map\n`);
    write(d, 'v.js.map', map('v-src.ts').replace('"version":3', '"version":"3"'));
    for (const [file, source] of [[bom, 'bom-src.ts'], [xssi, 'xssi-src.ts']] as const) {
      const ran = await runAlloctrace(['--top', '1', file]);
      assert.equal(ran.code, 0, ran.stderr);
      assert.doesNotMatch(ran.stderr, /warning/);
      assert.match(ran.stderr, new RegExp(`${source.replace('.', '\\.')}:1`));
    }
    const ran = await runAlloctrace(['--top', '1', v]);
    assert.match(ran.stderr, /source map version "3" is not supported \(only the number 3\)/);
  });
});

describe('outputs (D27, D28)', () => {
  it('D28: -o and export to a dangling symlink write through it; --force keeps the link', async () => {
    const d = dir('d28');
    const hold = write(d, 'hold.js', HOLD);
    fs.symlinkSync('target.trace', path.join(d, 'dangling.trace'));
    const ran = await runAlloctrace(['--top', '1', '-o', path.join(d, 'dangling.trace'), hold]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.doesNotMatch(ran.stderr, /cannot write/);
    assert.ok(fs.lstatSync(path.join(d, 'dangling.trace')).isSymbolicLink());
    assert.ok(fs.statSync(path.join(d, 'target.trace')).size > 0);
    fs.symlinkSync('target.hp', path.join(d, 'dangling.hp'));
    const exported = await runAlloctrace(['export', path.join(d, 'target.trace'), '-o', path.join(d, 'dangling.hp')]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(fs.lstatSync(path.join(d, 'dangling.hp')).isSymbolicLink());
    const again = await runAlloctrace(['export', '--force', path.join(d, 'target.trace'), '-o', path.join(d, 'dangling.hp')]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(fs.lstatSync(path.join(d, 'dangling.hp')).isSymbolicLink(), '--force writes through the link');
    JSON.parse(fs.readFileSync(path.join(d, 'target.hp'), 'utf8'));
    assert.deepEqual(hiddenFiles(d), []);
  });

  it('D28: -o /dev/stdout into a pipe is still written in place (a /proc link that names no path)', () => {
    // A shell's pipe (the test runner's stdio are sockets, which /proc cannot open by name).
    const hold = write(dir('d28-pipe'), 'hold.js', HOLD);
    const ran = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" --top 1 -o /dev/stdout "${hold}" | cat`], { encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    assert.doesNotMatch(ran.stderr, /cannot write/);
    assert.equal((JSON.parse(ran.stdout) as { format?: string }).format, 'alloctrace-trace');
  });

  it("D27: snapshots follow the user's umask, not the one the program sets", () => {
    const d = dir('d27');
    // No sample at all (a huge interval): snapshots with no script to resolve, never rewritten by the CLI.
    const program = write(d, 'umask0.js', `process.umask(0); setTimeout(() => {}, 600);\n`);
    const snaps = path.join(d, 'snaps');
    const result = spawnSync('sh', ['-c', `umask 077 && exec "${process.execPath}" "${CLI}" --interval 2000000000 --snapshot-dir "${snaps}" --snapshot-every 100ms --top 1 "${program}"`], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const names = fs.readdirSync(snaps);
    assert.ok(names.length >= 2, names.join());
    for (const name of names) assert.equal(fs.statSync(path.join(snaps, name)).mode & 0o777, 0o600, `${name}: ${(fs.statSync(path.join(snaps, name)).mode & 0o777).toString(8)}`);
  });
});

describe('injection (D16)', () => {
  it('D16: escape sequences and newlines from a trace and from a map are shown escaped, never forge rows', async () => {
    const d = dir('d16');
    const out = path.join(d, 'real.trace');
    const made = await runAlloctrace(['--top', '1', '-o', out, write(d, 'hold.js', HOLD)]);
    assert.equal(made.code, 0, made.stderr);
    const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as { frames: Array<Record<string, unknown>>; scripts: Array<Record<string, unknown>>; meta: { notes: string[] } };
    for (const f of trace.frames) if (f['name'] === 'hold') f['name'] = '\u001b]0;PWNED\u0007\u001b[2Jhold';
    for (const s of trace.scripts) if (String(s['path']).endsWith('hold.js')) s['path'] = 'hold.js\nTop 1 line (fake)\nfake.js:1 (evil): size=999 GiB';
    trace.meta.notes.push('a note\u001b[31m red\nNote: forged');
    const crafted = write(d, 'ansi.trace', JSON.stringify(trace));
    for (const args of [['show', '--top', '3', crafted], ['show', '--group-by', 'traceback', '--top', '3', crafted], ['compare', crafted, crafted]]) {
      const shown = await runAlloctrace(args);
      assert.equal(shown.code, 0, shown.stderr);
      const text = shown.stdout + shown.stderr;
      assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f]/, `${args[0]}: a raw control character`);
      assert.doesNotMatch(text, /^fake\.js:1/m);
      assert.doesNotMatch(text, /^Note: forged/m);
      assert.match(text, /\\x1b\]0;PWNED\\x07/);
    }

    const mapped = write(d, 'evil.js', `${HOLD.replace(/\n/g, ' ')}\n//# sourceMappingURL=evil.js.map\n`);
    write(d, 'evil.js.map', JSON.stringify({ version: 3, sources: ['evil\nfake.js:1 (x): size=1 TiB'], names: ['\u001b[2Jname'], mappings: 'AAAAA' }));
    const ran = await runAlloctrace(['--top', '3', mapped]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.doesNotMatch(ran.stderr, /[\u0000-\u0008\u000b-\u001f\u007f]/);
    assert.doesNotMatch(ran.stderr, /^fake\.js/m);
    assert.match(ran.stderr, /evil\\nfake\.js/);
  });
});

describe('scripts and files a trace names (D14, D23)', () => {
  it('D14: a script rewritten on disk during the run (tsc --watch) gets no proven line from its new text, and says why', async () => {
    const d = dir('d14');
    const file = path.join(d, 'app3.js');
    const rewritten = '// rewritten\n// rewritten\n// rewritten\n// rewritten\nconsole.log("this line never allocated anything big");\n';
    fs.writeFileSync(
      file,
      `const fs = require('fs');\nfunction allocate() {\n  const a = [];\n  for (let i = 0; i < 200; i++) a.push(new Array(5000).fill(i));\n  return a;\n}\nglobalThis.kept = allocate();\nfs.writeFileSync(__filename, ${JSON.stringify(rewritten)});\n`,
    );
    const ran = await runAlloctrace(['--top', '3', file]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /warning: .*app3\.js: changed on disk after the program started; its lines stay at function starts/);
    assert.doesNotMatch(ran.stderr, /app3\.js:5 \(allocate\)/);
    assert.match(ran.stderr, /app3\.js:2 \(in allocate\)/);
  });

  it('D23: a trace naming a local file as its script prints no token of it', async () => {
    const d = dir('d23');
    const out = path.join(d, 'real.trace');
    const made = await runAlloctrace(['--top', '1', '-o', out, write(d, 'hold.js', HOLD)]);
    assert.equal(made.code, 0, made.stderr);
    const secret = write(d, 'secretfile', 'let SECRET_TOKEN_x9f3 = 1;\nlet SECRET_TOKEN_x9f3 = 2;\nfunction hold() {}\n');
    const trace = JSON.parse(fs.readFileSync(out, 'utf8')) as { scripts: Array<Record<string, unknown>>; meta: Record<string, unknown> };
    const own = trace.scripts.findIndex((s) => String(s['url']).endsWith('hold.js'));
    trace.scripts[own] = { url: secret, path: secret, map: 'unresolved' };
    // No start time: the file is read whatever its age (D14 would skip a file newer than the run).
    trace.meta['startTime'] = null;
    const shown = await runAlloctrace(['show', '--top', '3', write(d, 'crafted.trace', JSON.stringify(trace))]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.doesNotMatch(shown.stdout + shown.stderr, /SECRET_TOKEN/);
    assert.match(shown.stderr, /secretfile: cannot parse \(syntax error at line 2, column 5\)/);
  });
});
