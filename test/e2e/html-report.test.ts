/**
 * The HTML report in a real headless Chromium (Debian's `chromium`, driven by playwright-core
 * over a pipe: no network port): it renders without console errors or requests, the planted
 * leak is the widest allocating frame and the first table row, zoom, search, sorting and
 * filtering work, and a screenshot is kept as a test artifact (not compared by pixels).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { TraceFile } from '../../src/trace/format';
import { runAlloctrace } from '../helpers/cli';
import { buildFixture, lineOf, scratchDir, type BuiltFixture } from '../helpers/fixtures';
import { findChromium, requireTool } from '../helpers/tools';

const ARTIFACTS = process.env.ALLOCTRACE_TEST_ARTIFACTS ?? path.join(os.tmpdir(), 'alloctrace-test-artifacts');

interface Opened {
  page: Page;
  problems: string[];
}

describe('HTML report in headless Chromium', () => {
  let fixture: BuiltFixture;
  let dir: string;
  let browser: Browser | null = null;
  let chromium: string | null = null;

  before(async () => {
    fixture = buildFixture('leaky', 'tsc-cjs');
    dir = fs.mkdtempSync(path.join(scratchDir(), 'html-'));
    // Every 8 KiB: the search below needs formatLog's ~110 KB sampled (at 32 KiB, ~3 samples
    // expected: none about one run in thirty, as the Node 26 matrix once saw).
    const run = await runAlloctrace(['run', '--interval', '8k', '--html', path.join(dir, 'run.html'), '-o', path.join(dir, 'leaky.trace'), fixture.entry], { cwd: fixture.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /alloctrace: wrote .*run\.html \(\d+ KiB; open it in a browser\)/);
    assert.doesNotMatch(run.stderr, /^src\/cache\.ts/m, '--html replaces the text report');
    const show = await runAlloctrace(['show', '--html', 'show.html', 'leaky.trace'], { cwd: dir });
    assert.equal(show.code, 0, show.stderr);
    // An older trace without the cache: the same run's samples minus the ones under fillCache.
    const trace = JSON.parse(fs.readFileSync(path.join(dir, 'leaky.trace'), 'utf8')) as TraceFile;
    const underCache = (stack: number): boolean => {
      for (let s = stack; s >= 0; s = trace.stacks.parent[s]!) {
        const f = trace.frames[trace.stacks.frame[s]!]!;
        if (f.kind === 'script' && f.original?.name === 'fillCache') return true;
        if (f.kind === 'script' && f.name === 'fillCache') return true;
      }
      return false;
    };
    const keep = trace.samples.stack.map((s) => !underCache(s));
    assert.ok(keep.some((k) => !k), 'the trace has samples under fillCache');
    const pick = <T>(xs: T[]): T[] => xs.filter((_, i) => keep[i]);
    const older: TraceFile = { ...trace, samples: { stack: pick(trace.samples.stack), size: pick(trace.samples.size), count: pick(trace.samples.count), ordinal: pick(trace.samples.ordinal) } };
    fs.writeFileSync(path.join(dir, 'older.trace'), JSON.stringify(older));
    const compare = await runAlloctrace(['compare', '--html', 'diff.html', 'older.trace', 'leaky.trace'], { cwd: dir });
    assert.equal(compare.code, 0, compare.stderr);
    assert.match(compare.stderr, /wrote diff\.html/);
  });

  let seriesDir: string;
  before(async () => {
    // A series of snapshots of one process whose session map leaks (inlining off: the leak stays in its row).
    const server = buildFixture('leakserver', 'tsc-cjs');
    seriesDir = fs.mkdtempSync(path.join(scratchDir(), 'html-series-'));
    const snaps = path.join(seriesDir, 'snaps');
    const run = await runAlloctrace(['run', '--snapshot-dir', snaps, '--snapshot-every', '150ms', server.entry, '400'], { cwd: server.dir, env: { LEAKSERVER_NO_INLINING: '1' } });
    assert.equal(run.code, 0, run.stderr);
    const files = fs.readdirSync(snaps).filter((f) => f.endsWith('.trace')).sort().map((f) => path.join(snaps, f));
    assert.ok(files.length >= 4, `only ${files.length} snapshots`);
    const series = await runAlloctrace(['compare', '--html', path.join(seriesDir, 'series.html'), ...files], { cwd: server.dir });
    assert.equal(series.code, 0, series.stderr);
  });

  after(async () => {
    await browser?.close();
  });

  async function open(t: { skip(message?: string): void }, file: string): Promise<Opened | null> {
    chromium ??= requireTool(t, findChromium());
    if (chromium === null) return null;
    if (browser === null) {
      const { chromium: launcher } = await import('playwright-core');
      browser = await launcher.launch({ executablePath: chromium, args: ['--no-sandbox', '--disable-gpu'], headless: true });
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(path.isAbsolute(file) ? file : path.join(dir, file)).href);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
    return { page, problems };
  }

  it('run --html: renders cleanly; the leak is the widest allocating frame and the first row; zoom and search work', async (t) => {
    const opened = await open(t, 'run.html');
    if (opened === null) return;
    const { page, problems } = opened;
    const start = lineOf(fixture, 'src/cache.ts', 'function fillCache(');
    // The planted leak: the frame with the widest own part (width × self/total: its callers are
    // wider, but only by what their callees hold), and the widest frame of its row.
    const frames = await page.$$eval('#flame .frame', (els) =>
      els.map((e) => ({ name: e.getAttribute('data-name'), file: e.getAttribute('data-file'), self: Number(e.getAttribute('data-self')), bytes: Number(e.getAttribute('data-bytes')), width: e.getBoundingClientRect().width, top: e.getBoundingClientRect().top })),
    );
    const boxWidth = await page.$eval('#flame .flame', (e) => e.clientWidth);
    const ownWidth = (f: (typeof frames)[number]): number => (f.bytes > 0 ? (f.width * f.self) / f.bytes : 0);
    const byOwn = [...frames].sort((a, b) => ownWidth(b) - ownWidth(a));
    const leak = byOwn[0]!;
    assert.equal(leak.name, 'fillCache', JSON.stringify(byOwn.slice(0, 3)));
    assert.match(leak.file ?? '', /^src\/cache\.ts:\d+/);
    assert.ok(leak.width > 0.5 * boxWidth, `fillCache is ${leak.width}px of ${boxWidth}px`);
    const row = frames.filter((f) => f.top === leak.top && f !== leak);
    assert.ok(row.every((f) => f.width < leak.width), JSON.stringify(row.slice(0, 3)));
    const firstRow = await page.$eval('#table tbody tr td', (e) => e.textContent ?? '');
    assert.match(firstRow, new RegExp(`^src/cache\\.ts:${start} \\(in fillCache|^src/cache\\.ts:\\d+ \\(fillCache`));
    // Source text of a row from the file on disk.
    assert.match(await page.$eval('#table tbody tr td.src', (e) => e.textContent ?? ''), /\S/);

    // Zoom: click the leak's frame; it then spans the whole width.
    await page.click('#flame .frame[data-name="fillCache"]');
    assert.equal(await page.getAttribute('#flame', 'data-zoom'), 'fillCache');
    const zoomed = await page.$eval('#flame .frame[data-name="fillCache"]', (e) => e.getBoundingClientRect().width);
    assert.ok(zoomed >= boxWidth - 2, `${zoomed} vs ${boxWidth}`);
    assert.match(await page.textContent('#flame .flame-status') ?? '', /zoomed to fillCache/);
    await page.click('#flame .flame-reset');
    assert.equal(await page.getAttribute('#flame', 'data-zoom'), 'all');

    // Search: matches are marked, their share is said; no match marks nothing.
    await page.fill('#flame .flame-search', 'formatLog');
    const matches = await page.$$eval('#flame .frame.match', (els) => els.map((e) => e.getAttribute('data-name')));
    assert.ok(matches.length > 0 && matches.every((n) => n === 'formatLog'), JSON.stringify(matches));
    assert.match(await page.textContent('#flame .flame-status') ?? '', /matched [\d.]+ (B|KiB|MiB) \([\d.]+% of all\)/);
    await page.fill('#flame .flame-search', 'no-such-frame-anywhere');
    assert.equal(await page.$$eval('#flame .frame.match', (els) => els.length), 0);
    await page.fill('#flame .flame-search', '');

    // Table: sort by size ascending (two clicks) moves the leak last; the text filter keeps matching rows.
    await page.click('#table th:nth-child(2)');
    await page.click('#table th:nth-child(2)');
    const lastRow = await page.$$eval('#table tbody tr', (rows) => rows[rows.length - 1]?.querySelector('td')?.textContent ?? '');
    assert.match(lastRow, /^src\/cache\.ts:/);
    await page.fill('#table .table-text', 'log.ts');
    const filtered = await page.$$eval('#table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
    assert.ok(filtered.length > 0 && filtered.every((r) => r.includes('log.ts')), JSON.stringify(filtered));
    await page.fill('#table .table-text', '');
    await page.fill('#table .table-glob', 'src/*.ts');
    const globbed = await page.$$eval('#table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
    assert.ok(globbed.length > 0 && globbed.every((r) => r.startsWith('src/')), JSON.stringify(globbed));
    await page.fill('#table .table-glob', '');

    // Call graph: the hot path reaches the leak.
    const hot = await page.$$eval('#graph g.gnode.hot', (gs) => gs.map((g) => g.getAttribute('data-name')));
    assert.ok(hot.includes('fillCache'), JSON.stringify(hot));
    // Metadata on the page.
    assert.match(await page.textContent('.meta') ?? '', /live \(memory still held\)[\s\S]*sampled every 8 KiB/);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'html-report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(fs.statSync(shot).size > 10_000);
    t.diagnostic(`screenshot: ${shot}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('show --html of the saved trace gives the same first row', async (t) => {
    const opened = await open(t, 'show.html');
    if (opened === null) return;
    assert.match(await opened.page.$eval('#table tbody tr td', (e) => e.textContent ?? ''), /^src\/cache\.ts:/);
    assert.deepEqual(opened.problems, []);
    await opened.page.close();
  });

  it('bad --html use is one line and a non-zero exit, before any program runs', async () => {
    const missing = await runAlloctrace(['run', '--html', path.join(dir, 'no-such-folder', 'x.html'), fixture.entry], { cwd: fixture.dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^alloctrace: cannot write .*no-such-folder.*\n$/);
    assert.equal(missing.stdout, '', 'the program did not run');
    const both = await runAlloctrace(['show', '--json', '--html', 'x.html', 'leaky.trace'], { cwd: dir });
    assert.equal(both.code, 2);
    assert.equal(both.stderr, 'alloctrace: --json and --html cannot be combined: pick one\n');
  });

  it('compare --html of a series: each suspect over time as a chart, and the verdict', async (t) => {
    const opened = await open(t, path.join(seriesDir, 'series.html'));
    if (opened === null) return;
    const { page, problems } = opened;
    assert.match(await page.textContent('#series .verdict') ?? '', /^\d+ suspected leaks? over \d+ traces/);
    const first = await page.$eval('#series tbody tr', (tr) => ({ label: tr.querySelector('td')?.textContent ?? '', points: tr.querySelector('polyline')?.getAttribute('points')?.split(' ').length ?? 0 }));
    assert.match(first.label, /^src\/server\.ts:\d+ \((in )?recordSession/);
    assert.ok(first.points >= 4, `chart has ${first.points} points`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('compare --html: the diff flame graph colours the growth, the diff table leads with it', async (t) => {
    const opened = await open(t, 'diff.html');
    if (opened === null) return;
    const { page, problems } = opened;
    const leak = await page.$eval('#flame .frame[data-name="fillCache"]', (e) => ({ before: Number(e.getAttribute('data-before')), after: Number(e.getAttribute('data-bytes')), color: e.ownerDocument.defaultView!.getComputedStyle(e).backgroundColor }));
    assert.equal(leak.before, 0);
    assert.ok(leak.after > 1_000_000);
    const [r, g, b] = (leak.color.match(/\d+/g) ?? []).map(Number) as [number, number, number];
    assert.ok(r > g + 40 && r > b + 40, `growth is red: ${leak.color}`);
    assert.match(await page.$eval('#table tbody tr td', (e) => e.textContent ?? ''), /^src\/cache\.ts:/);
    assert.match(await page.$eval('#table tbody tr td:nth-child(2)', (e) => e.textContent ?? ''), /^\+/);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'html-compare.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });
});
