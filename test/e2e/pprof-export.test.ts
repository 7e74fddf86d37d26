/**
 * `alloctrace export --format pprof` on a real traced program, read back by the real
 * `go tool pprof` (Debian's golang-go) and decoded with pprof-format: the planted leak is the
 * top entry, at its TypeScript file, with sample types, labels and proven lines.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import { Profile } from 'pprof-format';
import { traceToPprofProto } from '../../src/report/pprof';
import type { TraceFile } from '../../src/trace/format';
import { runAlloctrace } from '../helpers/cli';
import { buildFixture, lineOf, scratchDir, type BuiltFixture } from '../helpers/fixtures';
import { findGo, GO_ENV, requireTool } from '../helpers/tools';

function str(profile: Profile, index: number | bigint): string {
  return profile.stringTable.strings[Number(index)] ?? '';
}

describe('pprof export', () => {
  let fixture: BuiltFixture;
  let tracePath: string;
  let pprofPath: string;

  before(async () => {
    fixture = buildFixture('leaky', 'tsc-cjs');
    tracePath = path.join(scratchDir(), 'pprof-leaky.trace');
    pprofPath = path.join(scratchDir(), 'pprof-leaky.pb.gz');
    const run = await runAlloctrace(['run', '-o', tracePath, '--top', '3', fixture.entry], { cwd: fixture.dir });
    assert.equal(run.code, 0, run.stderr);
    const exported = await runAlloctrace(['export', '--format', 'pprof', '-o', pprofPath, tracePath], { cwd: fixture.dir });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /wrote .*pprof-leaky\.pb\.gz/);
  });

  it('go tool pprof -top -lines ranks the planted leak first, at its TypeScript file', (t) => {
    const go = requireTool(t, findGo());
    if (go === null) return;
    const result = spawnSync(go, ['tool', 'pprof', '-top', '-lines', pprofPath], { encoding: 'utf8', env: { ...process.env, ...GO_ENV }, timeout: 120_000 });
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /Type: inuse_space/);
    const rows = out.split('\n').filter((l) => /^\s*[\d.]+[kMG]?B\s/.test(l));
    assert.ok(rows.length > 0, out);
    // First row by flat bytes: the cache's fill, at a line of src/cache.ts inside fillCache.
    assert.match(rows[0]!, /\bfillCache src\/cache\.ts:\d+/, out);
    const line = Number(/src\/cache\.ts:(\d+)/.exec(rows[0]!)![1]);
    const start = lineOf(fixture, 'src/cache.ts', 'function fillCache(');
    assert.ok(line >= start && line <= start + 5, `line ${line} not in fillCache (starts at ${start})`);
    // The caller is shown at the line that called it (a proven call line), not its start.
    assert.match(out, new RegExp(`src/main\\.ts:${lineOf(fixture, 'src/main.ts', 'fillCache(300')}\\b`), out);
  });

  it('decodes to inuse_objects/inuse_space with thread and pid labels and original functions', () => {
    const profile = Profile.decode(gunzipSync(fs.readFileSync(pprofPath)));
    assert.deepEqual(profile.sampleType.map((v) => `${str(profile, v.type)}/${str(profile, v.unit)}`), ['inuse_objects/count', 'inuse_space/bytes']);
    assert.equal(str(profile, profile.defaultSampleType), 'inuse_space');
    const names = new Set(profile.function.map((f) => `${str(profile, f.name)} ${str(profile, f.filename)}`));
    assert.ok(names.has('fillCache src/cache.ts'), [...names].join('\n'));
    assert.ok(![...names].some((n) => n.startsWith(' ')), 'every function has a name');
    const trace = JSON.parse(fs.readFileSync(tracePath, 'utf8')) as TraceFile;
    for (const sample of profile.sample) {
      const labels = new Map(sample.label.map((l) => [str(profile, l.key), l]));
      assert.equal(str(profile, labels.get('thread')!.str), 'main');
      assert.equal(Number(labels.get('pid')!.num), trace.meta.pid);
    }
    // Sizes add up to the trace's estimate (each sample rounded to whole bytes).
    const total = profile.sample.reduce((sum, s) => sum + Number(s.value[1]), 0);
    const expected = trace.samples.size.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - expected) <= profile.sample.length, `${total} vs ${expected}`);
  });

  it('a trace of all allocations is exported as alloc_objects/alloc_space', () => {
    const trace = JSON.parse(fs.readFileSync(tracePath, 'utf8')) as TraceFile;
    const profile = Profile.decode(traceToPprofProto({ ...trace, meta: { ...trace.meta, mode: 'allocated' } }));
    assert.deepEqual(profile.sampleType.map((v) => str(profile, v.type)), ['alloc_objects', 'alloc_space']);
  });

  it('picks pprof from a .pb.gz name without --format', async () => {
    const out = path.join(scratchDir(), 'implicit.pb.gz');
    const result = await runAlloctrace(['export', '-o', out, tracePath], { cwd: fixture.dir });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(gunzipSync(fs.readFileSync(out)).length > 0);
  });
});
