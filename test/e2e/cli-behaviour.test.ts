/**
 * The CLI's contract around the program it runs and the input it is given: output, exit codes
 * and signals pass through; a trace is written however the program ends; bad input gets one line
 * and exit code 2; saved traces and `show` agree.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace, type CliResult } from '../helpers/cli';
import { buildFixture, lineOf, scratchDir } from '../helpers/fixtures';
import { PROGRAM_NODE, programNode } from '../helpers/nodes';
import { needsRetainer } from '../../src/capture/cjs-retain';
import type { JsonStatisticsReport } from '../../src/report/json';

/** A CommonJS script in the scratch folder that keeps ~16 MB alive in `plant`. */
function writeScript(name: string, tail: string): string {
  const dir = path.join(scratchDir(), 'scripts');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    [
      'const kept = [];',
      'function plant() {',
      '  for (let i = 0; i < 200; i++) kept.push(new Array(10000).fill(i));',
      '}',
      'plant();',
      'globalThis.kept = kept;',
      tail,
      '',
    ].join('\n'),
  );
  return file;
}

function reportOf(result: CliResult, stream: 'stdout' | 'stderr' = 'stderr'): JsonStatisticsReport {
  const text = result[stream];
  const start = text.indexOf('{\n  "schema"');
  assert.ok(start >= 0, `no JSON report in ${stream}:\n${text}`);
  return JSON.parse(text.slice(start)) as JsonStatisticsReport;
}

/** The row for `plant()` names its script and the line in it that allocates (its only one). */
function assertPlantRow(report: JsonStatisticsReport, script: string): void {
  const top = report.stats[0];
  assert.equal(top?.function, 'plant');
  assert.match(top?.file ?? '', new RegExp(`${path.basename(script).replace('.', '\\.')}$`));
  assert.equal(top?.line, 3);
  assert.equal(top?.precision, 'exact');
}

function assertOneLineError(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0] ?? '', /^alloctrace: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

describe('the traced program is untouched', () => {
  it('passes argv, stdin and stdout through; the report goes to stderr', async () => {
    const script = writeScript('echo.js', "process.stdin.on('data', (d) => process.stdout.write(`args=${process.argv.slice(2).join(',')} in=${d}`));");
    const result = await runAlloctrace(['--json', script, '--port', '0', 'x'], { input: 'hello' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'args=--port,0,x in=hello');
    assert.equal(reportOf(result).stats[0]?.function, 'plant');
  });

  it('keeps the exit code of process.exit() and still reports', async () => {
    const script = writeScript('exit.js', 'process.exit(7);');
    const result = await runAlloctrace(['--json', script]);
    assert.equal(result.code, 7);
    assertPlantRow(reportOf(result), script);
  });

  it('reports a program that throws, with its error output and exit code 1', async () => {
    const script = writeScript('throw.js', "throw new Error('boom from the program');");
    const result = await runAlloctrace(['--json', script]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Error: boom from the program/);
    assertPlantRow(reportOf(result), script);
  });

  it('ends by the same signal as the program, after writing its trace', async () => {
    const script = writeScript('term.js', "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000);");
    const result = await runAlloctrace(['--json', script]);
    assert.equal(result.signal, 'SIGTERM', result.stderr);
    const report = reportOf(result);
    assertPlantRow(report, script);
    assert.ok(report.notes.some((n) => n.includes('program ended by SIGTERM')));
  });
});

describe('the traced program\'s own stack traces', () => {
  it('keep their lines and columns, also with --enable-source-maps and a hashbang', async () => {
    const fixture = buildFixture('leaky', 'esbuild-cjs-bundle');
    const dir = path.dirname(fixture.entry);
    const file = path.join(dir, 'throws.js');
    fs.writeFileSync(file, `#!/usr/bin/env node\n${fs.readFileSync(fixture.entry, 'utf8').replace('console.log(', 'null.boom; console.log(')}`);
    const { spawnSync } = await import('node:child_process');
    const plain = spawnSync(PROGRAM_NODE, ['--enable-source-maps', file], { cwd: fixture.dir, encoding: 'utf8' });
    assert.equal(plain.status, 1);
    const traced = await runAlloctrace([file], { cwd: fixture.dir, env: { NODE_OPTIONS: '--enable-source-maps' } });
    assert.equal(traced.code, 1);
    const errorPart = (text: string): string => text.slice(0, text.indexOf('Node.js v'));
    assert.match(errorPart(plain.stderr), /TypeError: Cannot read properties of null/);
    // The one difference, where Node needs the script retainer (Node 20): errors thrown while a
    // module loads pass through alloctrace's loader hook, which shows as one frame (docs/decisions.md).
    const hookFrame = /^ {4}at Module\.alloctraceCompile \(.*\)\n/m;
    if (needsRetainer(programNode().version.slice(1))) assert.match(errorPart(traced.stderr), hookFrame);
    else assert.doesNotMatch(errorPart(traced.stderr), hookFrame);
    assert.equal(errorPart(traced.stderr).replace(hookFrame, ''), errorPart(plain.stderr));
  });
});

describe('modes', () => {
  it('live shows what is held; allocated also shows what GC already freed', async () => {
    const script = writeScript(
      'churn.js',
      [
        'function churn() {',
        '  let total = 0;',
        '  for (let i = 0; i < 1500; i++) total += new Array(10000).fill(i).length;',
        '  return total;',
        '}',
        'globalThis.total = churn();',
      ].join('\n'),
    );
    const live = reportOf(await runAlloctrace(['--json', '--top', '0', script]));
    const allocated = reportOf(await runAlloctrace(['--json', '--top', '0', '--mode', 'allocated', script]));
    assert.equal(live.measure.mode, 'live');
    assert.equal(allocated.measure.mode, 'allocated');
    const churnBytes = (r: JsonStatisticsReport): number => r.stats.filter((s) => s.function === 'churn').reduce((a, s) => a + s.size, 0);
    // 1500 arrays of 80 KB = 120 MB allocated, none kept; plant() keeps 16 MB in both modes.
    assert.equal(live.stats[0]?.function, 'plant');
    assert.ok(churnBytes(live) < 2e6, `live churn ${churnBytes(live)}`);
    assert.equal(allocated.stats[0]?.function, 'churn');
    assert.ok(churnBytes(allocated) > 80e6, `allocated churn ${churnBytes(allocated)}`);
    const text = await runAlloctrace(['--top', '1', '--mode', 'allocated', script]);
    assert.match(text.stderr, /^Top 1 line \(all allocations at exit; sampled every 32 KiB;/m);
  });
});

describe('saved traces', () => {
  it('-o saves a trace that `show` reports identically, also as JSON', async () => {
    const fixture = buildFixture('leaky', 'tsc-cjs');
    const out = path.join(scratchDir(), 'roundtrip.trace');
    const run = await runAlloctrace(['--json', '--top', '0', '-o', out, fixture.entry], { cwd: fixture.dir });
    assert.equal(run.code, 0, run.stderr);
    const shown = await runAlloctrace(['show', '--json', '--top', '0', out]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(reportOf(shown, 'stdout'), reportOf(run));
    // Text too, and sorted by size.
    const text = await runAlloctrace(['show', '--top', '3', out]);
    assert.match(text.stdout, new RegExp(`^src/cache\\.ts:${lineOf(fixture, 'src/cache.ts', 'function fillCache(')} \\(in fillCache, lines \\d+\\|\\d+\\)`, 'm'));
    const sizes = reportOf(shown, 'stdout').stats.map((s) => s.size);
    assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
  });

  it('export writes a .heapprofile that reads back to the same report (DevTools/speedscope format)', async () => {
    const fixture = buildFixture('leaky', 'tsc-cjs');
    const trace = path.join(scratchDir(), 'export-src.trace');
    const profile = path.join(scratchDir(), 'export.heapprofile');
    assert.equal((await runAlloctrace(['-o', trace, fixture.entry], { cwd: fixture.dir })).code, 0);
    const exported = await runAlloctrace(['export', trace, '-o', profile]);
    assert.equal(exported.code, 0, exported.stderr);
    const parsed = JSON.parse(fs.readFileSync(profile, 'utf8')) as { head: { callFrame: { functionName: string } }; samples: unknown[] };
    assert.equal(parsed.head.callFrame.functionName, '(root)');
    assert.ok(parsed.samples.length > 100);
    // A .heapprofile keys frames by function and has no place for resolved lines: compare functions.
    const a = reportOf(await runAlloctrace(['show', '--json', '--group-by', 'function', trace]), 'stdout');
    const b = reportOf(await runAlloctrace(['show', '--json', '--group-by', 'function', '--interval', '32k', profile]), 'stdout');
    const rows = (r: JsonStatisticsReport): unknown[] => r.stats.map((s) => [s.file, s.line, s.function, Math.round(s.size), Math.round(s.count)]);
    assert.deepEqual(rows(b), rows(a));
  });

  it('refuses to overwrite an existing file without --force, before running the program', async () => {
    const out = path.join(scratchDir(), 'exists.trace');
    fs.writeFileSync(out, 'keep me');
    const script = writeScript('marker.js', "console.log('the program ran');");
    const refused = await runAlloctrace(['-o', out, script]);
    assertOneLineError(refused, /exists; use --force/);
    assert.equal(refused.stdout, '');
    assert.equal(fs.readFileSync(out, 'utf8'), 'keep me');
    const forced = await runAlloctrace(['-o', out, '--force', script]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(out, 'utf8'), /^\{"format":"alloctrace-trace","version":1/);
  });

  it('-o through a symlink writes its target (the link stays); -o to a FIFO writes into it (it stays a FIFO)', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'special-out-'));
    const script = path.join(dir, 'small.js');
    fs.writeFileSync(script, 'globalThis.k = Array.from({ length: 1e5 }, (_, i) => ({ i }));');
    fs.writeFileSync(path.join(dir, 'real.trace'), 'old');
    fs.symlinkSync('real.trace', path.join(dir, 'link.trace'));
    const viaLink = await runAlloctrace(['-o', 'link.trace', '--force', 'small.js'], { cwd: dir });
    assert.equal(viaLink.code, 0, viaLink.stderr);
    assert.ok(fs.lstatSync(path.join(dir, 'link.trace')).isSymbolicLink());
    assert.match(fs.readFileSync(path.join(dir, 'real.trace'), 'utf8'), /^\{"format":"alloctrace-trace"/);

    const { spawnSync, spawn } = await import('node:child_process');
    const fifo = path.join(dir, 'out.heapprofile');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo here
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let read = '';
    reader.stdout.setEncoding('utf8').on('data', (d: string) => (read += d));
    const closed = new Promise((resolve) => reader.once('close', resolve));
    const exported = await runAlloctrace(['export', 'real.trace', '-o', fifo], { cwd: dir });
    await closed;
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(fs.statSync(fifo).isFIFO());
    assert.match(read, /^\{"head":/);
  });

  it('`show` reads a .heapprofile written by node --heap-prof and resolves it through source maps', async () => {
    const fixture = buildFixture('leaky', 'tsc-cjs');
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'heapprof-'));
    const { spawnSync } = await import('node:child_process');
    const node = spawnSync(PROGRAM_NODE, ['--heap-prof', `--heap-prof-dir=${dir}`, '--heap-prof-interval=32768', fixture.entry], { cwd: fixture.dir });
    assert.equal(node.status, 0, String(node.stderr));
    const profile = fs.readdirSync(dir).find((f) => f.endsWith('.heapprofile'));
    assert.ok(profile !== undefined);
    const shown = await runAlloctrace(['show', '--json', '--interval', '32k', path.join(dir, profile)], { cwd: fixture.dir });
    assert.equal(shown.code, 0, shown.stderr);
    const top = reportOf(shown, 'stdout').stats[0];
    assert.equal(top?.file, 'src/cache.ts');
    assert.equal(top?.function, 'fillCache');
    assert.equal(top?.line, lineOf(fixture, 'src/cache.ts', 'function fillCache('));
    assert.ok((top?.size ?? 0) > 15e6, `size ${top?.size}`);
  });

  it('a .heapprofile whose finished entry script was collected: its memory is the program\'s, never hidden as Node\'s', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'heapprof-entry-'));
    // The entry allocates at top level and finishes; the module it requires stays alive.
    fs.writeFileSync(path.join(dir, 'main.js'), 'globalThis.k = [];\nfor (let i = 0; i < 2e5; i++) k.push({ i, s: "a" + i });\nglobalThis.lib = require("./lib.js");\nlib.f();\n');
    fs.writeFileSync(path.join(dir, 'lib.js'), 'exports.f = function f() { globalThis.k2 = []; for (let i = 0; i < 2e4; i++) k2.push([i]); };\n');
    const { spawnSync } = await import('node:child_process');
    const node = spawnSync(PROGRAM_NODE, ['--heap-prof', `--heap-prof-dir=${dir}`, '--heap-prof-interval=32768', 'main.js'], { cwd: dir });
    assert.equal(node.status, 0, String(node.stderr));
    const profile = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.heapprofile')) ?? 'missing');
    const all = reportOf(await runAlloctrace(['show', '--json', '--top', '0', '--interval', '32k', profile], { cwd: dir }), 'stdout');
    const hidden = reportOf(await runAlloctrace(['show', '--json', '--top', '0', '--hide-internals', '--interval', '32k', profile], { cwd: dir }), 'stdout');
    const top = all.stats[0];
    // Node 20 collects the finished entry (no position left); later lines keep it: main.js.
    assert.ok(top !== undefined && top.size > 8e6, JSON.stringify(all.stats.slice(0, 3)));
    assert.ok(top.file === 'main.js' || /^<collected script #\d+>$/.test(top.file ?? ''), JSON.stringify(top));
    assert.doesNotMatch(top.file ?? '', /bootstrap/);
    assert.equal(hidden.stats[0]?.file, top.file, 'hiding internals keeps the program\'s memory');
  });
});

describe('--loader on a JavaScript entry', () => {
  it('is loaded before the program (not silently ignored); a missing one is one line, exit 2', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'js-loader-'));
    fs.writeFileSync(path.join(dir, 'hook.cjs'), 'globalThis.hooked = "yes";');
    fs.writeFileSync(path.join(dir, 'main.js'), 'console.log("hooked:", globalThis.hooked);');
    const result = await runAlloctrace(['--loader', './hook.cjs', 'main.js'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'hooked: yes\n');
    const missing = await runAlloctrace(['--loader', 'no-such-loader', 'main.js'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, '', 'nothing ran');
    assert.match(missing.stderr, /^alloctrace: --loader no-such-loader: module not found from /);
  });
});

describe('a program that drives V8\'s heap sampler itself', () => {
  it('stopping it (one sampler per thread) is said in one line; the program\'s own results and exit code are its own', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'own-sampler-'));
    const script = path.join(dir, 'own-profiler.js');
    fs.writeFileSync(
      script,
      [
        "const { Session } = require('node:inspector');",
        'const s = new Session(); s.connect();',
        "s.post('HeapProfiler.startSampling', { samplingInterval: 1024 }, (e) => console.log('start', e ? 'failed' : 'ok'));",
        'globalThis.more = Array.from({ length: 50000 }, (_, i) => ({ i }));',
        "s.post('HeapProfiler.stopSampling', (e, r) => console.log('stop', e ? 'failed' : r.profile.samples.length > 0));",
      ].join('\n'),
    );
    const result = await runAlloctrace([script], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'start ok\nstop true\n');
    assert.match(result.stderr, /^alloctrace: could not write the trace: the program stopped V8's sampling heap profiler itself \(there is one per thread, shared with alloctrace\)$/m);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});

describe('source maps', () => {
  it('--no-source-maps shows generated positions', async () => {
    const fixture = buildFixture('leaky', 'tsc-cjs');
    const result = await runAlloctrace(['--json', '--no-source-maps', fixture.entry], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    const top = reportOf(result).stats[0];
    assert.equal(top?.file, 'dist/cache.js');
    assert.equal(top?.line, lineOf(fixture, 'dist/cache.js', 'function fillCache('));
  });

  it('a missing or broken map warns once per file and falls back to generated positions', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'badmap-'));
    const missing = path.join(dir, 'missing.js');
    fs.writeFileSync(missing, 'const kept = [];\nfunction grow() { for (let i = 0; i < 200; i++) kept.push(new Array(10000).fill(i)); }\ngrow(); grow();\nglobalThis.k = kept;\n//# sourceMappingURL=missing.js.map\n');
    const result = await runAlloctrace(['--json', missing]);
    assert.equal(result.code, 0, result.stderr);
    const warnings = result.stderr.split('\n').filter((l) => l.startsWith('alloctrace: warning:'));
    assert.equal(warnings.length, 1, result.stderr);
    assert.match(warnings[0] ?? '', /missing\.js: source map missing\.js\.map: no such file/);
    const top = reportOf(result).stats[0];
    assert.match(top?.file ?? '', /missing\.js$/);
    assert.equal(top?.line, 2);
    fs.writeFileSync(`${missing}.map`, '{"version":3,"sources":["a.ts"],"mappings":"AAAA;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;');
    const truncated = await runAlloctrace(['--json', missing]);
    assert.equal(truncated.code, 0, truncated.stderr);
    assert.match(truncated.stderr, /alloctrace: warning: .*missing\.js: source map is not valid JSON/);
  });
});

describe('attribution', () => {
  it('--user-code charges a dependency\'s allocation to the user line that called it', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'usercode-'));
    fs.mkdirSync(path.join(dir, 'node_modules', 'fatlib'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"usercode","private":true}');
    fs.writeFileSync(path.join(dir, 'node_modules', 'fatlib', 'index.js'), 'exports.makeTable = function makeTable(n) { return new Array(n).fill(0); };\n');
    fs.writeFileSync(path.join(dir, 'app.js'), "const { makeTable } = require('fatlib');\nconst kept = [];\nfunction buildTables() {\n  for (let i = 0; i < 200; i++) kept.push(makeTable(10000));\n}\nbuildTables();\nglobalThis.kept = kept;\n");
    const plain = reportOf(await runAlloctrace(['--json', path.join(dir, 'app.js')]));
    assert.equal(plain.stats[0]?.file, 'node_modules/fatlib/index.js');
    assert.equal(plain.stats[0]?.origin, 'dependency');
    const user = reportOf(await runAlloctrace(['--json', '--user-code', path.join(dir, 'app.js')]));
    assert.equal(user.stats[0]?.file, 'app.js');
    assert.equal(user.stats[0]?.function, 'buildTables');
    assert.equal(user.stats[0]?.via, 'makeTable');
  });
});

describe('bad input: one line, exit code 2, nothing run', () => {
  it('a missing script', async () => assertOneLineError(await runAlloctrace(['no-such-script.js']), /script not found: no-such-script\.js/));
  it('bad option values', async () => {
    const script = writeScript('never.js', '');
    assertOneLineError(await runAlloctrace(['--interval', 'lots', script]), /--interval must be a size/);
    assertOneLineError(await runAlloctrace(['--group-by', 'line', script]), /--group-by must be one of/);
    assertOneLineError(await runAlloctrace(['--mode', 'highest', script]), /--mode must be live, allocated or peak/);
    assertOneLineError(await runAlloctrace(['--top', 'x', script]), /--top must be/);
    assertOneLineError(await runAlloctrace(['--frobnicate', script]), /unknown option '--frobnicate'/);
  });
  it('unreadable, empty, truncated and foreign trace files name the file', async () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'badtrace-'));
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['empty.trace', '', /empty\.trace: empty file/],
      ['truncated.trace', '{"format":"alloctrace-trace","version":1,"meta":{', /truncated\.trace: truncated or corrupt JSON/],
      ['foreign.json', '{"hello":"world"}', /foreign\.json: not an alloctrace trace or a V8 \.heapprofile/],
      ['binary.trace', Buffer.from([0, 159, 146, 150, 255, 1, 2]), /binary\.trace: not a trace file/],
      ['future.trace', '{"format":"alloctrace-trace","version":99}', /future\.trace: trace format version 99 is not supported/],
      ['corrupt.trace', '{"format":"alloctrace-trace","version":1,"producer":"x","meta":{"interval":32768,"notes":[],"argv":[]},"scripts":[],"frames":[],"stacks":{"frame":[5],"parent":[-1]},"samples":{"stack":[0],"size":[1],"count":[1],"ordinal":[1]}}', /corrupt\.trace: corrupt trace: stack points at a missing frame/],
    ];
    for (const [name, content, pattern] of cases) {
      fs.writeFileSync(path.join(dir, name), content);
      assertOneLineError(await runAlloctrace(['show', path.join(dir, name)]), pattern);
    }
    assertOneLineError(await runAlloctrace(['show', path.join(dir, 'absent.trace')]), /cannot read .*absent\.trace: no such file/);
  });
});
