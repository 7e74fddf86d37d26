/**
 * The library API in this very process: the leakserver fixture (built by tsc) handles requests
 * in-process between two snapshots; the diff must put its leaking TypeScript function first.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { buildFixture, lineOf, scratchDir } from '../helpers/fixtures';
import * as alloctrace from '../../src/index';

describe('library API (in-process)', () => {
  it('start → snapshot → requests → snapshot: compareTo puts the leak first, formatted as the CLI', () => {
    const fixture = buildFixture('leakserver', 'tsc-cjs');
    // The fixture's handler, loaded in this process (its main.js would start serving).
    const server = require(path.join(fixture.dir, 'dist', 'server.js')) as { handleRequest: (id: number) => string };
    assert.equal(alloctrace.isTracing(), false);
    alloctrace.start({ interval: 32 * 1024, root: fixture.dir });
    try {
      assert.equal(alloctrace.isTracing(), true);
      for (let i = 0; i < 50; i++) server.handleRequest(i); // the cache fills up
      const before = alloctrace.takeSnapshot();
      for (let i = 50; i < 250; i++) server.handleRequest(i);
      const after = alloctrace.takeSnapshot();
      const memory = alloctrace.getTracedMemory();

      const diffs = after.compareTo(before);
      const top = diffs[0]!;
      const start = lineOf(fixture, 'src/server.ts', 'function recordSession(');
      assert.equal(top.location.file, 'src/server.ts');
      assert.ok(top.location.line !== null && top.location.line >= start && top.location.line <= start + 4, String(top));
      // 200 sessions of ~64 KB: 12.8 MB planted.
      assert.ok(top.sizeDiff > 6e6 && top.sizeDiff < 26e6, String(top));
      assert.ok(top.significant);
      // Lines proven from the code, as the CLI proves them: not just the function's start.
      assert.notEqual(top.location.precision, 'function', String(top));
      assert.match(String(top), /^src\/server\.ts:\d+ \((?:in recordSession(?:, lines [\d|]+)?|recordSession)\): size=[\d.]+ MiB \(\+[\d.]+ MiB\), count=~[\d.]+(?: K)? \(~\+[\d.]+(?: K)?\), average=[\d.]+ (?:B|KiB)$/);
      // The cache was full before the first snapshot: it only wobbles (sampling), far below the leak.
      const cache = diffs.find((d) => d.location.file === 'src/cache.ts');
      assert.ok(cache === undefined || Math.abs(cache.sizeDiff) < top.sizeDiff / 4, String(cache));

      const stats = after.statistics('lineno');
      assert.equal(stats[0]!.location.function, 'recordSession');
      assert.match(String(stats[0]), /^src\/server\.ts:\d+ \((?:in recordSession(?:, lines [\d|]+)?|recordSession)\): size=[\d.]+ MiB, count=~[\d.]+(?: K)?, average=[\d.]+ (?:B|KiB)$/);
      const cumulative = after.statistics('function', { cumulative: true });
      const handle = cumulative.find((s) => s.location.function === 'handleRequest');
      assert.ok(handle !== undefined && handle.size >= stats[0]!.size, 'a caller includes its callees');
      const onlyCache = after.filter([{ inclusive: true, pattern: 'src/cache.ts' }]).statistics();
      assert.deepEqual([...new Set(onlyCache.map((s) => s.location.file))], ['src/cache.ts']);

      // getTracedMemory agrees with the snapshot (nothing freed since).
      assert.ok(memory.current > 0.8 * after.total.size && memory.peak >= memory.current, JSON.stringify(memory));

      const file = path.join(scratchDir(), 'api-after.trace');
      after.dump(file);
      const loaded = alloctrace.Snapshot.load(file);
      assert.ok(loaded.compareTo(after).every((d) => d.sizeDiff === 0 && d.countDiff === 0), 'dump → load round trip');
      assert.ok(fs.statSync(file).size > 0);

      alloctrace.clearTraces();
      assert.ok(alloctrace.getTracedMemory().current < after.total.size / 4, 'clearTraces forgets samples');
    } finally {
      alloctrace.stop();
    }
    assert.equal(alloctrace.isTracing(), false);
    assert.throws(() => alloctrace.takeSnapshot(), (e: unknown) => e instanceof alloctrace.AlloctraceError && e.code === 'ERR_NOT_TRACING');
  });
});
