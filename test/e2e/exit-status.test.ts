/**
 * The program's exit status passes through even where the CLI's own process would end otherwise:
 * a reader of the report that went away, signals Node does not die by, a disk that is full.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { withProgramNode } from '../helpers/cli';
import { CLI, scratchDir } from '../helpers/fixtures';
import { PROGRAM_NODE } from '../helpers/nodes';

function script(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(scratchDir(), 'exit-')), name);
  fs.writeFileSync(file, text);
  return file;
}

/** `sh -c` with the CLI as "$@": the status of the pipeline's first command, as `${PIPESTATUS[0]}` would. */
function shell(command: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', ['-c', command, 'sh', process.execPath, CLI, ...withProgramNode(args)], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('exit status passes through', () => {
  it('when the reader of the report closes early (| head -1): the program\'s code, not a broken pipe', () => {
    const file = script('seven.js', 'globalThis.k = Array.from({ length: 1e5 }, (_, i) => ({ i })); console.log("hello"); process.exitCode = 7;');
    const plain = spawnSync('sh', ['-c', '"$1" "$2" 2>&1 | head -1', 'sh', PROGRAM_NODE, file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(plain.stdout, 'hello\n');
    // The first command's status travels out through a file: sh has no PIPESTATUS.
    const status = path.join(path.dirname(file), 'status');
    const result = shell(`{ "$@" 2>&1; echo $? > "${status}"; } | head -1`, [file]);
    assert.equal(result.stdout, 'hello\n');
    assert.equal(fs.readFileSync(status, 'utf8').trim(), '7', result.stderr);
    assert.doesNotMatch(result.stderr, /EPIPE|internal error/);
  });

  // Node ignores SIGPIPE and SIGXFSZ and opens an inspector port on SIGUSR1: re-raising them on
  // itself would leave alloctrace alive (exit 0) or listening. A shell as the program dies by them.
  for (const [signal, code] of [['PIPE', 141], ['XFSZ', 153], ['USR1', 138]] as const) {
    it(`a program killed by SIG${signal}: exit ${code}, as a shell shows it, and no port opened`, () => {
      const plain = spawnSync('sh', ['-c', `kill -${signal} $$`], { encoding: 'utf8' });
      assert.equal(plain.signal, `SIG${signal}`);
      const result = spawnSync(process.execPath, [CLI, '--children', 'sh', '-c', `kill -${signal} $$`], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.status, code, result.stderr);
      assert.doesNotMatch(result.stderr, /Debugger listening/);
    });
  }

  it('show to a full disk: one line, exit 2', { skip: !fs.existsSync('/dev/full') && 'no /dev/full' }, () => {
    const file = script('small.js', 'globalThis.k = Array.from({ length: 1e5 }, (_, i) => ({ i }));');
    const trace = path.join(path.dirname(file), 'small.trace');
    const run = spawnSync(process.execPath, [CLI, ...withProgramNode(['-o', trace, file])], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const out = fs.openSync('/dev/full', 'w');
    try {
      const result = spawnSync(process.execPath, [CLI, 'show', trace], { encoding: 'utf8', stdio: ['ignore', out, 'pipe'], timeout: 60_000 });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /^alloctrace: cannot write the report: ENOSPC/m);
      assert.doesNotMatch(result.stderr, /^\s+at /m);
    } finally {
      fs.closeSync(out);
    }
  });
});
