/**
 * Builds TypeScript fixtures with the real compilers, in a temporary folder (never in the
 * tree): tsc (CommonJS + external map, ESM + inline map) and esbuild (bundles, minified).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
export const CLI = path.join(REPO_ROOT, 'bin', 'alloctrace.js');

export type BuildVariant =
  | 'tsc-cjs' // tsc, CommonJS, external .map files
  | 'tsc-esm-inline' // tsc, ES modules, inline data: URL maps
  | 'esbuild-cjs-bundle' // esbuild, one CommonJS bundle, external map
  | 'esbuild-esm-minified'; // esbuild, one minified ESM bundle, inline map

export const ALL_VARIANTS: readonly BuildVariant[] = ['tsc-cjs', 'tsc-esm-inline', 'esbuild-cjs-bundle', 'esbuild-esm-minified'];

export interface BuiltFixture {
  /** Project root of the built copy (holds package.json and src/). */
  dir: string;
  /** Absolute path of the JavaScript entry point. */
  entry: string;
  variant: BuildVariant;
}

let scratch: string | null = null;

/** One scratch folder per test process, removed at exit. */
export function scratchDir(): string {
  if (scratch === null) {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-test-'));
    const dir = scratch;
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

const built = new Map<string, BuiltFixture>();

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${path.basename(args[0] ?? command)} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  }
}

/** Compiles `test/fixtures/<name>` (its `src/main.ts` is the entry) the `variant` way. */
export function buildFixture(name: string, variant: BuildVariant): BuiltFixture {
  const cacheKey = `${name}:${variant}`;
  const cached = built.get(cacheKey);
  if (cached !== undefined) return cached;
  const dir = path.join(scratchDir(), `${name}-${variant}`);
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  const esm = variant === 'tsc-esm-inline' || variant === 'esbuild-esm-minified';
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `fixture-${name}`, private: true, type: esm ? 'module' : 'commonjs' }));
  const entrySource = path.join(dir, 'src', 'main.ts');
  let entry: string;
  switch (variant) {
    case 'tsc-cjs':
    case 'tsc-esm-inline': {
      const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const mapFlag = variant === 'tsc-cjs' ? '--sourceMap' : '--inlineSourceMap';
      const moduleFlags = variant === 'tsc-cjs' ? ['--module', 'commonjs', '--moduleResolution', 'bundler'] : ['--module', 'nodenext'];
      const files = fs.readdirSync(path.join(dir, 'src')).filter((f) => f.endsWith('.ts')).map((f) => path.join('src', f));
      run(process.execPath, [tsc, '--target', 'es2022', ...moduleFlags, '--strict', '--types', 'node', '--typeRoots', path.join(REPO_ROOT, 'node_modules', '@types'), mapFlag, '--rootDir', 'src', '--outDir', 'dist', ...files], dir);
      entry = path.join(dir, 'dist', 'main.js');
      break;
    }
    case 'esbuild-cjs-bundle':
    case 'esbuild-esm-minified': {
      const esbuild = require('esbuild') as typeof import('esbuild');
      entry = path.join(dir, 'dist', variant === 'esbuild-cjs-bundle' ? 'bundle.js' : 'bundle.mjs');
      esbuild.buildSync({
        entryPoints: [entrySource],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: variant === 'esbuild-cjs-bundle' ? 'cjs' : 'esm',
        minify: variant === 'esbuild-esm-minified',
        sourcemap: variant === 'esbuild-cjs-bundle' ? 'linked' : 'inline',
        outfile: entry,
        logLevel: 'silent',
      });
      break;
    }
  }
  const fixture = { dir, entry, variant };
  built.set(cacheKey, fixture);
  return fixture;
}

/** 1-based line of the first line in `file` (relative to the fixture's dir) containing `text`. */
export function lineOf(fixture: { dir: string }, file: string, text: string): number {
  const lines = fs.readFileSync(path.join(fixture.dir, file), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`'${text}' not found in ${file}`);
  return index + 1;
}
