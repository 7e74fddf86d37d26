/**
 * Bad input of every kind: one clear line `alloctrace: …`, exit 2 where the command cannot go on,
 * never a stack trace; a bad source map degrades only its own file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace, type CliResult } from '../helpers/cli';
import { buildFixture, lineOf, scratchDir } from '../helpers/fixtures';
import { reportOf, rowOf } from '../helpers/report';

function assertOneLine(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr.split('\n').length, 2, `one line:\n${result.stderr}`);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

function file(name: string, content: string | Buffer): string {
  const full = path.join(scratchDir(), 'bad-input', name);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, content);
  return full;
}

describe('bad trace files', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty.trace', '', /: empty file, not a trace$/m],
    ['truncated.trace', '{"format":"alloctrace-trace","version":1,"meta":{"pid":', /: truncated or corrupt JSON, not a complete trace$/m],
    ['foreign.trace', '{"hello":"world"}', /: not an alloctrace trace or a V8 \.heapprofile$/m],
    ['binary.trace', '\u0000\u0001\u0002PNG', /: not a trace file \(not JSON\)$/m],
    ['future.trace', '{"format":"alloctrace-trace","version":99}', /: trace format version 99 is not supported/m],
    ['corrupt.trace', '{"format":"alloctrace-trace","version":1,"producer":"x","meta":{"interval":1,"notes":[],"argv":[],"execArgv":[],"flags":[],"pid":1,"nodeVersion":null,"v8Version":null,"platform":null,"cwd":null,"root":null,"startTime":null,"time":null,"mode":"live","reason":"exit","sequence":0,"thread":{"id":0,"name":"main"}},"scripts":[],"frames":[],"stacks":{"frame":[0],"parent":[-1]},"samples":{"stack":[],"size":[],"count":[],"ordinal":[]}}', /: corrupt trace: stack points at a missing frame$/m],
  ];
  for (const [name, content, pattern] of cases) {
    it(`${name}: one line, exit 2`, async () => {
      assertOneLine(await runAlloctrace(['show', file(name, content)]), pattern);
    });
  }
  it('a missing file and an empty folder: one line, exit 2', async () => {
    assertOneLine(await runAlloctrace(['show', path.join(scratchDir(), 'nope.trace')]), /^alloctrace: cannot read .*nope\.trace: no such file or directory\n$/);
    const empty = fs.mkdtempSync(path.join(scratchDir(), 'empty-'));
    assertOneLine(await runAlloctrace(['show', empty]), /^alloctrace: no \.trace or \.heapprofile files in folder /);
  });
});

describe('bad source maps degrade only their own file', () => {
  const breakages: Array<[string, (mapFile: string) => void, RegExp]> = [
    ['invalid JSON', (f) => fs.writeFileSync(f, '{"version":3,"mappings":'), /source map is not valid JSON/],
    ['wrong version', (f) => fs.writeFileSync(f, JSON.stringify({ ...JSON.parse(fs.readFileSync(f, 'utf8')), version: 2 })), /source map version 2 is not supported/],
    ['missing', (f) => fs.rmSync(f), /cache\.js\.map: no such file or directory/],
    // Sparse: the size is checked before anything is read.
    ['huge', (f) => fs.truncateSync(f, 300 * 1024 * 1024), /is too large/],
  ];
  for (const [name, breakIt, warning] of breakages) {
    it(`${name}: a warning line, generated positions for cache.js, main.ts still resolved`, async () => {
      const fixture = buildFixture('leaky', 'tsc-cjs');
      const copy = path.join(scratchDir(), `map-${name.replace(/\s/g, '-')}`);
      fs.cpSync(fixture.dir, copy, { recursive: true });
      breakIt(path.join(copy, 'dist', 'cache.js.map'));
      const result = await runAlloctrace(['--json', path.join(copy, 'dist', 'main.js')], { cwd: copy });
      assert.equal(result.code, 0, result.stderr);
      const warnings = result.stderr.split('\n').filter((l) => l.startsWith('alloctrace: warning:'));
      assert.equal(warnings.length, 1, result.stderr);
      assert.match(warnings[0] ?? '', warning);
      const report = reportOf(result.stderr);
      const top = rowOf(report, 'fillCache');
      assert.equal(top.file, 'dist/cache.js');
      assert.ok(report.stats.some((s) => s.file === 'src/main.ts' || s.traceback.some((t) => t.file === 'src/main.ts')), 'main.ts still mapped');
    });
  }

  it('out-of-range mappings and sources that do not exist: no crash, what maps is used', async () => {
    const fixture = buildFixture('leaky', 'tsc-cjs');
    const copy = path.join(scratchDir(), 'map-out-of-range');
    fs.cpSync(fixture.dir, copy, { recursive: true });
    const mapFile = path.join(copy, 'dist', 'cache.js.map');
    const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string; names: string[] };
    // Segments naming source 40 and name 99 (neither exists), and a missing source file.
    map.mappings = `${map.mappings};gwCAAgG,CAAC;AAAA`;
    map.sources = ['../src/gone.ts'];
    fs.writeFileSync(mapFile, JSON.stringify(map));
    const result = await runAlloctrace(['--json', path.join(copy, 'dist', 'main.js')], { cwd: copy });
    assert.equal(result.code, 0, result.stderr);
    const top = rowOf(reportOf(result.stderr), 'fillCache');
    assert.equal(top.file, 'src/gone.ts');
    assert.equal(top.line, lineOf(fixture, 'src/cache.ts', 'export function fillCache('));
  });
});

describe('bad scripts, options and output paths', () => {
  it('a script that does not exist', async () => {
    assertOneLine(await runAlloctrace(['no-such-script.js']), /^alloctrace: script not found: no-such-script\.js\n$/);
  });
  it('a --snapshot-dir that cannot be made (under /proc): one line, exit 2, no hang', { skip: !fs.existsSync('/proc/self') && 'no /proc' }, async () => {
    const script = path.join(fs.mkdtempSync(path.join(scratchDir(), 'procdir-')), 'small.js');
    fs.writeFileSync(script, 'console.log(1)');
    const result = await runAlloctrace(['--snapshot-dir', '/proc/alloctrace-test/x', script], { timeoutMs: 30_000 });
    assertOneLine(result, /^alloctrace: cannot use --snapshot-dir \/proc\/alloctrace-test\/x: /);
  });

  it('a folder node cannot run, named like a script', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'folder-'));
    fs.mkdirSync(path.join(dir, 'app.js'));
    assertOneLine(await runAlloctrace(['app.js'], { cwd: dir }), /^alloctrace: app\.js is a folder that node cannot run \(no index\.js, no package\.json "main"\)\n$/);
  });

  it('scripts that are not JavaScript: a shell script, a binary, a JSON file', async () => {
    assertOneLine(await runAlloctrace([file('build.sh', '#!/bin/sh\necho hi\n')]), /^alloctrace: .*build\.sh is not JavaScript \(a script for sh\); use --children/);
    assertOneLine(await runAlloctrace([file('tool', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]))]), /is not JavaScript \(a binary file\)/);
    assertOneLine(await runAlloctrace([file('data.json', '{}')]), /is not JavaScript \(a \.json file\)/);
  });
  it('bad option values', async () => {
    const script = file('ok.js', 'console.log(1)');
    const cases: Array<[string[], RegExp]> = [
      [['--interval', 'lots', script], /^alloctrace: --interval must be a size such as 32768, 32k or 1m \(got 'lots'\)\n$/],
      [['--interval', '0', script], /^alloctrace: --interval must be between 1 byte and 2 GiB/],
      [['--top', '-3', script], /^alloctrace: --top must be a whole number/],
      [['--mode', 'everything', script], /^alloctrace: --mode must be live, allocated or peak/],
      [['--group-by', 'colour', script], /^alloctrace: --group-by must be one of/],
      [['--pid', 'me', script], /^alloctrace: --pid must be a whole number/],
      [['--thread', ' ', script], /^alloctrace: --thread must be a thread id/],
      [['--frobnicate', script], /^alloctrace: unknown option '--frobnicate'/],
    ];
    for (const [args, pattern] of cases) assertOneLine(await runAlloctrace(args), pattern);
  });
  it('unwritable output paths fail before the program runs; an existing file needs --force', async () => {
    const script = file('hello.js', "console.log('ran')");
    const notFolder = file('plain-file', 'x');
    const noDir = await runAlloctrace(['-o', path.join(scratchDir(), 'no', 'such', 'dir', 'x.trace'), script]);
    assertOneLine(noDir, /^alloctrace: cannot write .*x\.trace: folder .*: no such file or directory\n$/);
    assert.equal(noDir.stdout, '', 'the program did not run');
    assertOneLine(await runAlloctrace(['-o', path.join(notFolder, 'x.trace'), script]), /^alloctrace: cannot write .*x\.trace: folder .*: a path component is not a directory\n$|is not a folder/);
    const existing = file('existing.trace', 'precious');
    assertOneLine(await runAlloctrace(['-o', existing, script]), /^alloctrace: .*existing\.trace exists; use --force to replace it\n$/);
    assert.equal(fs.readFileSync(existing, 'utf8'), 'precious');
    const forced = await runAlloctrace(['--force', '-o', existing, script]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(existing, 'utf8'), /^\{"format":"alloctrace-trace"/);
  });
});
