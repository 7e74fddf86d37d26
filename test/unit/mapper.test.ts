/**
 * SourceMapper over every input form, with maps written by the real esbuild and tsc:
 * inline data: URL, external file, map without sourcesContent, minified bundle with names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { SourceMapper } from '../../src/symbolize/mapper';
import { decodeDataUrl, findSourceMappingUrl, locateMap } from '../../src/symbolize/locate-map';
import { sourcePath } from '../../src/symbolize/symbolize';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures';

const SOURCE = [
  'export function first(n: number): string[] {',
  "  const label: string = 'marker-one';",
  '  return new Array<string>(n).fill(label);',
  '}',
  '',
  'export function secondFunction(n: number): number[] {',
  "  const tag: string = 'marker-two';",
  '  return Array.from({ length: n }, (_, i) => i + tag.length);',
  '}',
  '',
].join('\n');

function position(text: string, needle: string): { line: number; column: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} not in generated code`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

type Form = 'esbuild-inline' | 'esbuild-external' | 'esbuild-no-sources-content' | 'esbuild-minified' | 'tsc-external';

function build(form: Form): string {
  const dir = fs.mkdtempSync(path.join(scratchDir(), `map-${form}-`));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'lib.ts'), SOURCE);
  if (form === 'tsc-external') {
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--sourceMap', '--target', 'es2022', '--module', 'commonjs', '--outDir', 'out', 'src/lib.ts'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
    return path.join(dir, 'out', 'lib.js');
  }
  const outfile = path.join(dir, 'out', 'lib.js');
  esbuild.buildSync({
    entryPoints: [path.join(dir, 'src', 'lib.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    minify: form === 'esbuild-minified',
    sourcemap: form === 'esbuild-inline' ? 'inline' : 'linked',
    sourcesContent: form !== 'esbuild-no-sources-content',
    logLevel: 'silent',
  });
  return outfile;
}

describe('SourceMapper resolves through every map form', () => {
  for (const form of ['esbuild-inline', 'esbuild-external', 'esbuild-no-sources-content', 'esbuild-minified', 'tsc-external'] as const) {
    it(form, () => {
      const file = build(form);
      const generated = fs.readFileSync(file, 'utf8');
      const mapper = new SourceMapper();
      // CommonJS frames carry the path; ESM frames a file:// URL: both must work.
      for (const url of [file, pathToFileURL(file).href]) {
        assert.equal(mapper.info(url).status, form === 'esbuild-inline' ? 'inline' : 'external');
        for (const [marker, line] of [['marker-one', 2], ['marker-two', 7]] as const) {
          const resolved = mapper.resolve(url, position(generated, marker));
          assert.equal(resolved.kind, 'mapped');
          if (resolved.kind !== 'mapped') return;
          assert.equal(resolved.source, path.join(path.dirname(path.dirname(file)), 'src', 'lib.ts'));
          assert.equal(resolved.line, line, `${marker} in ${form}`);
        }
      }
    });
  }

  it('recovers original names in a minified bundle', () => {
    const file = build('esbuild-minified');
    const generated = fs.readFileSync(file, 'utf8');
    // A minified function declaration: `function X(` — find the one holding marker-two.
    const at = generated.indexOf('marker-two');
    const fn = generated.lastIndexOf('function ', at);
    const resolved = new SourceMapper().resolve(file, position(generated.slice(0, fn + 'function '.length) + '\u0000', '\u0000'));
    assert.equal(resolved.kind, 'mapped');
    if (resolved.kind === 'mapped') {
      assert.equal(resolved.line, 6);
      assert.equal(resolved.name, 'secondFunction');
    }
  });

  it('is not tripped by bad input: returns unmapped with a reason, never throws', () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'map-bad-'));
    const write = (name: string, js: string, map?: string): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, js);
      if (map !== undefined) fs.writeFileSync(`${file}.map`, map);
      return file;
    };
    const cases: Array<[string, string]> = [
      [write('a.js', 'x()\n//# sourceMappingURL=a.js.map', '{not json'), 'source map is not valid JSON'],
      [write('b.js', 'x()\n//# sourceMappingURL=b.js.map', '{"version":2,"sources":[],"mappings":""}'), 'source map version 2 is not supported'],
      [write('c.js', 'x()\n//# sourceMappingURL=https://example.invalid/c.js.map'), 'is remote and is not fetched'],
      [write('d.js', 'x()\n//# sourceMappingURL=gone.map'), 'no such file'],
      [write('e.js', 'x()\n//# sourceMappingURL=data:application/json;base64,@@@'), 'source map is not valid JSON'],
    ];
    const mapper = new SourceMapper();
    for (const [file, reason] of cases) {
      const info = mapper.info(file);
      assert.equal(info.status, 'error', file);
      assert.match(info.error ?? '', new RegExp(reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.deepEqual(mapper.resolve(file, { line: 1, column: 1 }), { kind: 'unmapped' });
    }
    // Out-of-range positions and mappings pointing past the sources are unmapped, not errors.
    const odd = write('f.js', 'x()\n//# sourceMappingURL=f.js.map', '{"version":3,"sources":["f.ts"],"mappings":"AAAA,CAAC,8BAAgC"}');
    assert.equal(mapper.info(odd).status, 'external');
    assert.equal(mapper.resolve(odd, { line: 999, column: 5 }).kind, 'unmapped');
    assert.equal(new SourceMapper().info('node:internal/whatever').status, 'none');
  });
});

describe('locating maps', () => {
  it('finds the last sourceMappingURL comment, // or /* */', () => {
    assert.equal(findSourceMappingUrl('a\n//# sourceMappingURL=one.map\nb\n//# sourceMappingURL=two.map\n'), 'two.map');
    assert.equal(findSourceMappingUrl('a\n/*# sourceMappingURL=c.css.map */'), 'c.css.map');
    assert.equal(findSourceMappingUrl('const s = "no map here";'), null);
  });
  it('decodes base64 and percent-encoded data URLs', () => {
    assert.equal(decodeDataUrl(`data:application/json;charset=utf-8;base64,${Buffer.from('{"v":1}').toString('base64')}`), '{"v":1}');
    assert.equal(decodeDataUrl('data:application/json,%7B%22v%22%3A2%7D'), '{"v":2}');
    assert.equal(decodeDataUrl('data:nocomma'), null);
  });
});

describe('source paths and map locations from other toolchains', () => {
  it('shows webpack module URLs as paths under the project root, its runtime by its own name', () => {
    const root = '/work/app';
    assert.equal(sourcePath(root, 'webpack://leakproj/./src/lib/cache.ts'), 'src/lib/cache.ts');
    assert.equal(sourcePath(root, 'webpack:///./src/a.ts'), 'src/a.ts');
    assert.equal(sourcePath(root, 'webpack://app/src/a.ts?1a2b'), 'src/a.ts');
    assert.equal(sourcePath(root, 'webpack-internal:///./src/a.ts'), 'src/a.ts');
    assert.equal(sourcePath(root, 'webpack://app/webpack/bootstrap'), 'webpack/bootstrap');
    assert.equal(sourcePath(root, 'webpack://app/./node_modules/lib/index.js'), 'node_modules/lib/index.js');
  });

  it('keeps a build machine\'s absolute sourceRoot absolute; a real file outside the root stays relative', () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'paths-'));
    const root = path.join(dir, 'pkg');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(dir, 'shared.ts'), '');
    assert.equal(sourcePath(root, '/opt/build-machine/src/lib/cache.ts'), '/opt/build-machine/src/lib/cache.ts');
    assert.equal(sourcePath(root, path.join(dir, 'shared.ts')), '../shared.ts');
    assert.equal(sourcePath(root, path.join(root, 'src', 'a.ts')), 'src/a.ts');
  });

  it('uses the map beside the file when the comment points at a remote or missing map (tsc --mapRoot)', () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'maproot-'));
    const map = '{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}';
    for (const ref of ['https://cdn.example.com/maps/a.js.map', '../maps/a.js.map']) {
      const file = path.join(dir, 'a.js');
      fs.writeFileSync(file, `x();\n//# sourceMappingURL=${ref}\n`);
      fs.writeFileSync(`${file}.map`, map);
      const located = locateMap(file, fs.readFileSync(file, 'utf8'));
      assert.equal(located.kind, 'external', ref);
      fs.rmSync(`${file}.map`);
      assert.equal(locateMap(file, fs.readFileSync(file, 'utf8')).kind, 'error', `${ref} without a map beside`);
    }
  });

  it('does not name a function by a keyword a minifier attached to its first segment', () => {
    const dir = fs.mkdtempSync(path.join(scratchDir(), 'names-'));
    for (const [name, expected] of [['async', null], ['collect', 'collect']] as const) {
      const file = path.join(dir, `${name}.js`);
      fs.writeFileSync(file, `async function(){}\n//# sourceMappingURL=${name}.js.map\n`);
      fs.writeFileSync(`${file}.map`, JSON.stringify({ version: 3, sources: ['p.ts'], names: [name], mappings: 'AAAAA' }));
      const resolved = new SourceMapper().resolve(pathToFileURL(file).href, { line: 1, column: 1 });
      assert.equal(resolved.kind, 'mapped');
      assert.equal(resolved.kind === 'mapped' ? resolved.name : undefined, expected);
    }
  });
});
