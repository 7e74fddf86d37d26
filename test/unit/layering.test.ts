/**
 * The one-way flow of src/README.md, checked: every relative import in src/ is read and each edge
 * between areas (a folder, or a shared top-level module) must be one the table allows.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/fixtures';

const SRC = path.join(REPO_ROOT, 'src');

/** Pure modules at the top of src/ that any area may use; they import no area. */
const SHARED = ['errors', 'bounded-cache', 'version', 'units', 'data-url', 'read-file'];

/** Area → the areas it may import (besides itself and SHARED). Data flows left to right. */
const ALLOWED: Record<string, readonly string[]> = {
  trace: [],
  capture: ['trace', 'lines'],
  symbolize: ['trace'],
  lines: ['trace', 'symbolize'],
  analyze: ['trace'],
  /** `.heapsnapshot` reading and its partition into an object trace (`run --types`). */
  'heap-snapshot': ['trace'],
  report: ['trace', 'analyze'],
  pipeline: ['trace', 'symbolize', 'lines', 'analyze', 'report', 'heap-snapshot'],
  cli: ['trace', 'capture', 'pipeline', 'analyze', 'report', 'heap-snapshot'],
  api: ['trace', 'capture', 'pipeline', 'analyze', 'report', 'symbolize'],
  index: ['trace', 'pipeline', 'symbolize', 'lines', 'analyze', 'report', 'api'],
  /** `alloctrace/test`: memory limits for test runners, on top of the library API. */
  testing: ['trace', 'analyze', 'report', 'api'],
};

/**
 * Edges allowed for one module only, with the reason. `--exact-lines` rewrites code inside the
 * traced process with the same planner that reads its positions back at report time: one copy
 * of the rule, so the two cannot disagree.
 */
const EXCEPTIONS: Record<string, readonly string[]> = {
  'capture/exact-lines-transform.ts': ['lines/script-code.ts', 'lines/wrap.ts'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** `capture/flush.ts` → `capture`; `errors.ts` → `errors`. */
function areaOf(rel: string): string {
  const parts = rel.split('/');
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
}

/** Every relative import and re-export of a file, static or `require`d, resolved to a src-relative path. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)'(\.{1,2}\/[^']*)'/g)].map((m) => m[1]!);
  return specs.map((spec) => {
    const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
    return fs.existsSync(path.join(SRC, `${target}.ts`)) ? `${target}.ts` : target;
  });
}

describe('layering: imports follow the flow', () => {
  const files = sourceFiles(SRC).map((f) => path.relative(SRC, f).split(path.sep).join('/'));

  it('reads the whole of src/ (the table covers every area)', () => {
    assert.ok(files.length > 50, `${files.length} files`);
    const areas = new Set(files.map(areaOf));
    for (const area of areas) assert.ok(area in ALLOWED || SHARED.includes(area), `area ${area} is not in the layering table`);
  });

  it('no import goes against the flow', () => {
    const wrong: string[] = [];
    for (const rel of files) {
      const from = areaOf(rel);
      for (const target of importsOf(path.join(SRC, rel))) {
        if (target.startsWith('..')) continue; // outside src (package.json): not a layer
        const to = areaOf(target);
        if (to === from || SHARED.includes(to) || (EXCEPTIONS[rel] ?? []).includes(target)) continue;
        const allowed = SHARED.includes(from) ? [] : ALLOWED[from] ?? [];
        if (!allowed.includes(to)) wrong.push(`${rel} → ${target}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('no command imports another command (what two share lives in a module of its own)', () => {
    const commands = ['cli/run.ts', 'cli/show.ts', 'cli/compare.ts', 'cli/export.ts'];
    const wrong = commands.flatMap((c) => importsOf(path.join(SRC, c)).filter((t) => commands.includes(t)).map((t) => `${c} → ${t}`));
    assert.deepEqual(wrong, []);
  });

  it('catches a back-edge (the check itself can fail)', () => {
    assert.deepEqual(
      importsOf(path.join(SRC, 'pipeline', 'resolve.ts')).filter((t) => areaOf(t) === 'lines').sort(),
      ['lines/code-cache.ts', 'lines/read-wrapped.ts', 'lines/resolve-lines.ts'],
    );
    assert.ok(!(ALLOWED['lines'] ?? []).includes('report'), 'lines may not import report');
  });
});
