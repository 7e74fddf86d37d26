/**
 * Every way a traced program can end: the trace is written where it can be, and the program
 * ends exactly as it does without alloctrace (same exit code or signal). Where nothing can be
 * written (abort, out of memory) alloctrace says so in one line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { runAlloctrace } from '../helpers/cli';
import { buildFixture, CLI } from '../helpers/fixtures';
import { haveScript, plainNode, startCli } from '../helpers/process';
import { reportOf, rowOf } from '../helpers/report';

const planted = (size: number): boolean => size > 8e6 && size < 17e6; // mainLeak: ~12 MB

describe('every way to end', () => {
  for (const mode of ['normal', 'throw', 'reject', 'exit'] as const) {
    it(`${mode}: trace written, same exit code as plain node`, async () => {
      const fixture = buildFixture('processes', 'tsc-cjs');
      const plain = plainNode(fixture.entry, [mode]);
      const result = await runAlloctrace(['--json', fixture.entry, mode], { cwd: fixture.dir });
      assert.deepEqual({ code: result.code, signal: result.signal }, plain);
      assert.ok(planted(rowOf(reportOf(result.stderr), 'mainLeak').size));
      if (mode === 'throw') assert.match(result.stderr, /Error: planted failure/);
    });
  }

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} sent to alloctrace: the program gets it, its trace is written, both end by ${signal}`, async () => {
      const fixture = buildFixture('processes', 'tsc-cjs');
      const run = startCli(['--json', fixture.entry, 'wait'], { cwd: fixture.dir });
      await run.waitFor('READY');
      process.kill(run.pid, signal);
      const result = await run.done;
      assert.equal(result.signal, signal, result.stderr);
      const report = reportOf(result.stderr);
      assert.ok(planted(rowOf(report, 'mainLeak').size));
      assert.ok(report.notes.includes(`program ended by ${signal}`), report.notes.join('\n'));
    });
  }

  it('abort: same signal, one line saying no trace exists', async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    const plain = plainNode(fixture.entry, ['abort']);
    const result = await runAlloctrace([fixture.entry, 'abort'], { cwd: fixture.dir });
    assert.deepEqual({ code: result.code, signal: result.signal }, plain);
    assert.equal(result.signal, 'SIGABRT');
    const ours = result.stderr.split('\n').filter((l) => l.startsWith('alloctrace:'));
    assert.deepEqual(ours, [ours[0]]);
    assert.match(ours[0] ?? '', /^alloctrace: no trace was written: the program was killed by SIGABRT before alloctrace could write one \(--snapshot-dir <dir> --snapshot-every <period> keeps snapshots that survive a crash\)$/);
  });

  it('out of memory (small heap): same end as plain node, the trace taken near the heap limit', async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    const env = { NODE_OPTIONS: '--max-old-space-size=48' };
    const plain = plainNode(fixture.entry, ['oom'], env);
    const result = await runAlloctrace(['--json', fixture.entry, 'oom'], { cwd: fixture.dir, env });
    assert.deepEqual({ code: result.code, signal: result.signal }, plain);
    assert.match(result.stderr, /heap out of memory/);
    assert.equal(reportOf(result.stderr).measure.reason, 'heap-limit');
  });

  it('Ctrl-C in a terminal reaches the program once, as without alloctrace', { skip: !haveScript() && 'needs script(1) for a terminal' }, async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    // The program counts SIGINTs for 300 ms, then exits: a forwarded duplicate would show as 2.
    const program = `let n=0;process.on('SIGINT',()=>{n++;setTimeout(()=>{console.log('SIGINTS='+n);process.exit(0)},300)});console.log('READY');setInterval(()=>{},1000)`;
    const file = `${fixture.dir}/ctrl-c.js`;
    fs.writeFileSync(file, program);
    const plain = await ctrlCInTerminal(`"${process.execPath}" "${file}"`);
    const traced = await ctrlCInTerminal(`"${process.execPath}" "${CLI}" "${file}"`);
    assert.match(plain.out, /SIGINTS=1\b/, plain.out);
    assert.match(traced.out, /SIGINTS=1\b/, traced.out);
    assert.match(traced.out, /^Top \d+ lines? \(live memory at exit/m);
    assert.equal(traced.code, plain.code);
    assert.equal(traced.code, 0);
  });

  it('Ctrl-C in a terminal with all stdio redirected still reaches the program once', { skip: !haveScript() && 'needs script(1) for a terminal' }, async () => {
    const fixture = buildFixture('processes', 'tsc-cjs');
    const program = `let n=0;process.on('SIGINT',()=>{n++;setTimeout(()=>{console.log('SIGINTS='+n);process.exit(0)},300)});console.log('READY');setInterval(()=>{},1000)`;
    const file = `${fixture.dir}/ctrl-c-redirected.js`;
    fs.writeFileSync(file, program);
    const outFile = `${fixture.dir}/ctrl-c-redirected.out`;
    fs.rmSync(outFile, { force: true });
    const traced = await ctrlCInTerminal(`"${process.execPath}" "${CLI}" "${file}" < /dev/null > "${outFile}" 2> "${outFile}.err"`, outFile);
    assert.match(traced.out, /SIGINTS=1\b/, traced.out);
    assert.match(fs.readFileSync(`${outFile}.err`, 'utf8'), /^Top \d+ lines? \(live memory at exit/m);
    assert.equal(traced.code, 0);
  });
});

/**
 * Runs a command on a fresh terminal (script(1)), types Ctrl-C once it printed READY (on the
 * terminal, or in `outFile` when its output is redirected), and returns what it printed and the
 * exit code. `exec` keeps the shell out of the foreground group: dash, unlike bash, stays as the
 * command's parent and ends itself by a SIGINT it saw.
 */
async function ctrlCInTerminal(command: string, outFile?: string): Promise<{ out: string; code: number | null }> {
  const child = spawn('script', ['-qfec', `exec ${command}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let sent = false;
  const printed = (): string => (outFile === undefined ? out : fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '');
  const sendOnReady = (): void => {
    if (!sent && printed().includes('READY')) {
      sent = true;
      child.stdin.write('\x03'); // the terminal turns it into SIGINT for the foreground group
    }
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    sendOnReady();
  });
  const poll = setInterval(sendOnReady, 50);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  clearInterval(poll);
  return { out: printed(), code };
}
