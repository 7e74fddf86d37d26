/**
 * Eval'd modules named by `//# sourceURL` (webpack's default development build, `devtool: eval`
 * and `eval-source-map`): V8's sampling profile gives them no URL; the trace names them by their
 * sourceURL and resolves them through their inline map.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { runAlloctrace } from '../helpers/cli';
import { scratchDir } from '../helpers/fixtures';
import { reportOf, rowOf } from '../helpers/report';

const SOURCE = [
  '// A module webpack would eval.',
  'interface Options { rounds: number }',
  '',
  'export function fillCache(keep: number[][], options: Options): void {',
  '  for (let i = 0; i < options.rounds; i++) {',
  '    keep.push(new Array<number>(1024).fill(i + 0.5));',
  '  }',
  '}',
  '',
].join('\n');

/** A program that evals one module as webpack's eval devtools do, and keeps it (webpack's module cache does). */
function evalProgram(withMap: boolean): string {
  const dir = fs.mkdtempSync(path.join(scratchDir(), 'eval-'));
  const url = 'webpack://app/./src/fill-cache.ts';
  const out = esbuild.transformSync(SOURCE, { loader: 'ts', format: 'cjs', sourcemap: withMap ? 'inline' : false, sourcefile: url });
  fs.writeFileSync(path.join(dir, 'module.txt'), `${out.code}\n//# sourceURL=${url}`);
  fs.writeFileSync(
    path.join(dir, 'main.js'),
    [
      "const code = require('node:fs').readFileSync(require('node:path').join(__dirname, 'module.txt'), 'utf8');",
      'const mod = { exports: {} };',
      '(0, eval)(`(function (module, exports) {${code}\\n})`)(mod, mod.exports);',
      'globalThis.modules = [mod];',
      'globalThis.kept = [];',
      'mod.exports.fillCache(globalThis.kept, { rounds: 3000 });',
    ].join('\n'),
  );
  return dir;
}

describe('eval\'d modules named by sourceURL (webpack eval devtools)', () => {
  it('with an inline map (eval-source-map): the original .ts file and function, project-relative', async () => {
    const dir = evalProgram(true);
    const result = await runAlloctrace(['--json', 'main.js'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const row = rowOf(reportOf(result.stderr), 'fillCache');
    assert.equal(row.file, 'src/fill-cache.ts');
    // The eval'd code is copied out of the process: the exact allocating line.
    assert.equal(row.line, SOURCE.split('\n').findIndex((l) => l.includes('keep.push(')) + 1);
    assert.equal(row.precision, 'exact', JSON.stringify(row));
    assert.ok(row.size > 12e6 && row.size < 40e6, String(row.size)); // 3000 × 8 KiB ≈ 24.6 MB
  });

  it('without a map (eval): named by its sourceURL at generated positions, never an anonymous script', async () => {
    const dir = evalProgram(false);
    const result = await runAlloctrace(['--json', 'main.js'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    const row = rowOf(reportOf(result.stderr), 'fillCache');
    assert.equal(row.file, 'webpack://app/./src/fill-cache.ts');
    assert.doesNotMatch(result.stderr, /anonymous script/);
  });
});
