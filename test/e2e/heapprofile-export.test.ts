/**
 * `.heapprofile` export of a bundle: every original source gets its own script id (DevTools keys
 * functions by name, script id and position, so a shared id merges files), and every frame has
 * a name (top level, Node's unloaded bootstrap), while `show` still reads it back the same.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import type { V8ProfileNode, V8SamplingProfile } from '../../src/trace/v8-profile';
import { runAlloctrace } from '../helpers/cli';
import { buildFixture, scratchDir, type BuiltFixture } from '../helpers/fixtures';

function allNodes(profile: V8SamplingProfile): V8ProfileNode[] {
  const out: V8ProfileNode[] = [];
  for (const pending = [profile.head]; pending.length > 0; ) {
    const node = pending.pop()!;
    out.push(node);
    pending.push(...(node.children ?? []));
  }
  return out;
}

describe('.heapprofile export', () => {
  let fixture: BuiltFixture;
  let profile: V8SamplingProfile;
  let tracePath: string;
  let profilePath: string;

  before(async () => {
    fixture = buildFixture('leaky', 'esbuild-cjs-bundle');
    tracePath = path.join(scratchDir(), 'hp-bundle.trace');
    profilePath = path.join(scratchDir(), 'hp-bundle.heapprofile');
    const run = await runAlloctrace(['run', '-o', tracePath, fixture.entry], { cwd: fixture.dir });
    assert.equal(run.code, 0, run.stderr);
    const exported = await runAlloctrace(['export', '-o', profilePath, tracePath], { cwd: fixture.dir });
    assert.equal(exported.code, 0, exported.stderr);
    profile = JSON.parse(fs.readFileSync(profilePath, 'utf8')) as V8SamplingProfile;
  });

  it('gives each original source of one bundle its own script id', () => {
    const idsByUrl = new Map<string, Set<number>>();
    for (const node of allNodes(profile)) {
      const { url, scriptId } = node.callFrame;
      if (url === undefined || url === '' || url.startsWith('node:')) continue;
      if (!idsByUrl.has(url)) idsByUrl.set(url, new Set());
      idsByUrl.get(url)!.add(Number(scriptId));
    }
    const sources = ['src/cache.ts', 'src/log.ts'].filter((s) => idsByUrl.has(s));
    assert.deepEqual(sources, ['src/cache.ts', 'src/log.ts'], [...idsByUrl.keys()].join(', '));
    const owners = new Map<number, string>();
    for (const [url, ids] of idsByUrl) {
      assert.equal(ids.size, 1, `${url} has script ids ${[...ids].join(', ')}`);
      const id = [...ids][0]!;
      assert.equal(owners.get(id), undefined, `${url} shares script id ${id} with ${owners.get(id)}`);
      owners.set(id, url);
    }
  });

  it('names every frame: the top level and Node bootstrap frames are not "" / unknown', () => {
    const nodes = allNodes(profile);
    const unnamed = nodes.filter((n) => n.callFrame.functionName === '' && (n.callFrame.url === '' || n.callFrame.lineNumber === 0));
    assert.deepEqual(unnamed.map((n) => n.callFrame), []);
    // A bundle's top level has no original function: it stays in the bundle, named.
    assert.ok(nodes.some((n) => n.callFrame.functionName === '(top level)' && /bundle\.js$/.test(n.callFrame.url ?? '')));
  });

  it('reads back to the same report, by function', async () => {
    const rows = async (file: string, extra: string[]): Promise<unknown[]> => {
      // From the project's folder: a .heapprofile names no project root, so its scripts are shown
      // relative to where it is read (a bundle's top level, when sampled, is `dist/bundle.js`).
      const r = await runAlloctrace(['show', '--json', '--group-by', 'function', ...extra, file], { cwd: fixture.dir });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { stats: Array<{ file: string | null; line: number | null; function: string; size: number }> };
      return report.stats.map((s) => [s.file, s.line, s.function, Math.round(s.size)]);
    };
    assert.deepEqual(await rows(profilePath, ['--interval', '32k']), await rows(tracePath, []));
  });
});
