import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCount, formatInterval, formatNumber, formatSize } from '../../src/units';
import { parseByteSize, parseGroupBy, parseMode, parseTop } from '../../src/cli/options';
import { AlloctraceError } from '../../src/errors';

describe('formatSize (tracemalloc units)', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [789, '789 B'],
    [10239, '10239 B'],
    [10240, '10.0 KiB'],
    [99.94 * 1024, '99.9 KiB'],
    [456 * 1024, '456 KiB'],
    [13.1 * 1024 * 1024, '13.1 MiB'],
    [150 * 1024 * 1024, '150 MiB'],
    [3 * 1024 ** 4, '3072 GiB'], // as tracemalloc: up to 5 digits before the next unit
    [300 * 1024 ** 4, '300 TiB'],
  ];
  for (const [bytes, text] of cases) it(`${bytes} → ${text}`, () => assert.equal(formatSize(bytes), text));
  it('signs differences', () => {
    assert.equal(formatSize(13.1 * 1024 * 1024, true), '+13.1 MiB');
    assert.equal(formatSize(-1.1 * 1024 * 1024, true), '-1126 KiB');
    assert.equal(formatSize(-13.1 * 1024 * 1024, true), '-13.1 MiB');
    assert.equal(formatSize(0, true), '+0 B');
  });
});

describe('formatCount', () => {
  it('gives estimated counts their one significant digit, marked ~', () => {
    assert.equal(formatCount(89), '~90');
    assert.equal(formatCount(1.37), '~1');
    assert.equal(formatCount(2.01), '~2');
    assert.equal(formatCount(889), '~900');
    assert.equal(formatCount(2500), '~3 K');
    assert.equal(formatCount(101_000), '~100 K');
    assert.equal(formatCount(3_400_000), '~3 M');
    assert.equal(formatCount(89, true), '~+90');
    assert.equal(formatCount(-2100, true), '~-2 K');
    assert.equal(formatCount(0, true), '0');
  });
  it('keeps exact numbers short', () => {
    assert.equal(formatNumber(89), '89');
    assert.equal(formatNumber(2100), '2.1 K');
    assert.equal(formatNumber(101_000), '101 K');
    assert.equal(formatNumber(-2100, true), '-2.1 K');
  });
  it('formats intervals', () => {
    assert.equal(formatInterval(32768), '32 KiB');
    assert.equal(formatInterval(1048576), '1 MiB');
    assert.equal(formatInterval(1000), '1000 B');
  });
});

describe('option parsing', () => {
  it('reads sizes with binary suffixes', () => {
    assert.equal(parseByteSize('32k', '--interval'), 32768);
    assert.equal(parseByteSize('1m', '--interval'), 1048576);
    assert.equal(parseByteSize('512KiB', '--interval'), 524288);
    assert.equal(parseByteSize('4096', '--interval'), 4096);
  });
  it('rejects bad values with a usage error naming the option', () => {
    for (const bad of ['', 'abc', '-1', '32q', '0', '4g']) {
      assert.throws(() => parseByteSize(bad, '--interval'), (e: unknown) => e instanceof AlloctraceError && e.code === 'ERR_USAGE' && e.message.includes('--interval'));
    }
    assert.throws(() => parseTop('-3'), AlloctraceError);
    assert.throws(() => parseGroupBy('line'), /lineno, filename, function, traceback/);
    assert.equal(parseMode('peak'), 'peak');
    assert.throws(() => parseMode('high'), /live, allocated or peak/);
  });
  it('top 0 and all mean every row', () => {
    assert.equal(parseTop('0'), null);
    assert.equal(parseTop('all'), null);
    assert.equal(parseTop('25'), 25);
  });
});
