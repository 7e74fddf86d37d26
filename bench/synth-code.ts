/**
 * Synthetic TypeScript modules for the scale benchmarks, compiled by the real esbuild into
 * JavaScript with real source maps (mappings, names and sourcesContent, as a build would ship).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A deterministic PRNG (mulberry32): the same inputs give the same trace on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function functionName(module: number, fn: number): string {
  return `m${module}_f${fn}`;
}

/** TypeScript source of module `k`: `functions` functions of a few typed statements each. */
export function moduleSource(k: number, functions: number): string {
  const lines = [`// Synthetic module ${k}: generated for the alloctrace benchmarks.`, `export interface Row${k} {`, '  id: number;', '  label: string;', '  values: number[];', '}', ''];
  for (let f = 0; f < functions; f++) {
    const name = functionName(k, f);
    lines.push(
      `/** Builds rows (${name}). */`,
      `export function ${name}(count: number, scale: number = ${f + 1}): Row${k}[] {`,
      `  const rows: Row${k}[] = [];`,
      '  for (let i = 0; i < count; i++) {',
      `    const label: string = \`row-\${i}-${f}\`;`,
      '    const values = new Array<number>(scale).fill(i);',
      '    rows.push({ id: i * scale, label, values });',
      '  }',
      '  return rows.filter((row) => row.values.length > 0);',
      '}',
      '',
    );
  }
  return lines.join('\n');
}

export interface GeneratedScript {
  /** Absolute path of the generated .js file. */
  file: string;
  /** 0-based line and column of each function's parameter list, as V8 reports them. */
  functions: Array<{ name: string; line: number; column: number }>;
}

/** Every `function name(` in `code`: V8 positions a function at its `(`. */
export function functionPositions(code: string): GeneratedScript['functions'] {
  const out: GeneratedScript['functions'] = [];
  const lines = code.split('\n');
  const re = /function\s+([\w$]+)\s*\(/g;
  lines.forEach((text, line) => {
    for (const m of text.matchAll(re)) out.push({ name: m[1]!, line, column: (m.index ?? 0) + m[0].length - 1 });
  });
  return out;
}

/** Writes `src/m<k>.ts`, and compiles them with esbuild to `dist/m<k>.js` + `.js.map` under `root`. */
export function writeCompiledModules(root: string, count: number, functions: number): GeneratedScript[] {
  const esbuild = require('esbuild') as typeof import('esbuild');
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{"name":"synthetic","private":true}\n');
  const entries: string[] = [];
  for (let k = 0; k < count; k++) {
    const entry = path.join(root, 'src', `m${k}.ts`);
    fs.writeFileSync(entry, moduleSource(k, functions));
    entries.push(entry);
  }
  // One build of many entry points, not bundled: one .js and one .js.map per module.
  esbuild.buildSync({ entryPoints: entries, outdir: path.join(root, 'dist'), format: 'cjs', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'silent' });
  return entries.map((_, k) => {
    const file = path.join(root, 'dist', `m${k}.js`);
    return { file, functions: functionPositions(fs.readFileSync(file, 'utf8')) };
  });
}

/** One esbuild bundle of `count` modules with an external map: the large-map case. */
export function writeBundle(root: string, count: number, functions: number): { file: string; map: string; functions: GeneratedScript['functions'] } {
  const esbuild = require('esbuild') as typeof import('esbuild');
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  const imports: string[] = [];
  for (let k = 0; k < count; k++) {
    fs.writeFileSync(path.join(root, 'src', `m${k}.ts`), moduleSource(k, functions));
    imports.push(`export * from './m${k}';`);
  }
  fs.writeFileSync(path.join(root, 'src', 'index.ts'), `${imports.join('\n')}\n`);
  const file = path.join(root, 'dist', 'bundle.js');
  esbuild.buildSync({ entryPoints: [path.join(root, 'src', 'index.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'linked', outfile: file, logLevel: 'silent' });
  return { file, map: `${file}.map`, functions: functionPositions(fs.readFileSync(file, 'utf8')) };
}
