/**
 * The parse budget for exact lines: over it, the scripts that account for the least memory keep
 * function lines (status `skipped`) and one warning says so; within it, nothing is skipped.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CodeCache } from '../../src/lines/code-cache';
import { dropLines, resolveLines } from '../../src/lines/resolve-lines';
import { SourceMapper } from '../../src/symbolize/mapper';
import { symbolizeTrace, unsymbolizeTrace } from '../../src/symbolize/symbolize';
import { readTraceFile } from '../../src/trace/read';
import { runAlloctrace } from '../helpers/cli';
import { buildFixture, scratchDir } from '../helpers/fixtures';

describe('exact lines: parse budget', () => {
  it('parses the scripts holding the most memory first and skips the rest past the budget', async () => {
    const fixture = buildFixture('leaky', 'tsc-cjs');
    const out = path.join(fs.mkdtempSync(path.join(scratchDir(), 'budget-')), 'run.trace');
    const run = await runAlloctrace(['-o', out, fixture.entry], { cwd: fixture.dir });
    assert.equal(run.code, 0, run.stderr);
    const trace = dropLines(readTraceFile(out, { producer: 'test' }));
    const files = trace.scripts.filter((s) => s.path?.startsWith('dist/') === true);
    assert.ok(files.length >= 2, JSON.stringify(trace.scripts.map((s) => s.path)));

    const all = resolveLines(trace, { mapper: null });
    assert.ok(all.trace.scripts.every((s) => s.code !== 'skipped'));
    assert.ok(!all.warnings.some((w) => w.startsWith('lines:')));

    // A 1-byte budget: the first script by memory is still parsed, every other file is skipped.
    const tight = resolveLines(trace, { mapper: null, parseBudget: 1 });
    const status = tight.trace.scripts.filter((s) => s.path?.startsWith('dist/') === true).map((s) => s.code);
    assert.equal(status.filter((c) => c === 'parsed').length, 1, JSON.stringify(status));
    assert.equal(status.filter((c) => c === 'skipped').length, files.length - 1, JSON.stringify(status));
    assert.ok(tight.warnings.some((w) => new RegExp(`^lines: ${files.length - 1} script\\(s\\) that account for the least memory were not parsed`).test(w)), JSON.stringify(tight.warnings));
    // The parsed one holds the leak's innermost frame: the rows' lines come first.
    const parsed = tight.trace.scripts.find((s) => s.code === 'parsed' && s.path?.startsWith('dist/') === true);
    assert.equal(parsed?.path, 'dist/cache.js');
  });

  it('gives the same lines when caches keep nothing between scripts (one map and one syntax tree at a time)', async () => {
    for (const build of ['tsc-cjs', 'esbuild-esm-minified'] as const) {
      const fixture = buildFixture('lines', build);
      const out = path.join(fs.mkdtempSync(path.join(scratchDir(), 'caches-')), 'run.trace');
      const run = await runAlloctrace(['-o', out, fixture.entry], { cwd: fixture.dir });
      assert.equal(run.code, 0, run.stderr);
      const raw = dropLines(unsymbolizeTrace(readTraceFile(out, { producer: 'test' })));
      const resolve = (mapper: SourceMapper, cache: CodeCache) => resolveLines(symbolizeTrace(raw, { mapper }).trace, { mapper, cache }).trace;
      const roomy = resolve(new SourceMapper(), new CodeCache());
      const tight = resolve(new SourceMapper({ maxRetainedBytes: 0 }), new CodeCache(0));
      assert.ok(roomy.frames.some((f) => f.kind === 'script' && f.self !== undefined && 'exact' in f.self), `${build}: some exact own line`);
      assert.ok(roomy.stacks.call?.some((c) => c !== null && 'exact' in c && c.exact.original !== undefined), `${build}: some mapped call line`);
      assert.deepEqual(tight.frames, roomy.frames, build);
      assert.deepEqual(tight.stacks.call, roomy.stacks.call, build);
    }
  });
});
