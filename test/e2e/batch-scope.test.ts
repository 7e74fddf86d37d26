/**
 * An entry script's top level is live at the end (issue 10, items 1 and 4): batch scripts in every
 * form (hand-written CommonJS and ES modules, tsc output, esbuild bundles minified or not) that keep
 * ~32 MB in a top-level Map filled by a function and in a const, a let and a var no function
 * captures, ending normally, by a top-level throw or by a rejected top-level await (a minified
 * CommonJS bundle, all on one line, is read as it throws: the debugger pauses on it). The default
 * report's top row is the script's, the script's rows hold all four (one lost would be ~24 MB), and
 * the program's stdout, stderr and exit code are plain node's. Runs on the Node under test
 * (ALLOCTRACE_TEST_NODE in the matrix).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runAlloctrace, type CliResult } from '../helpers/cli';
import { FIXTURES, REPO_ROOT, scratchDir } from '../helpers/fixtures';
import { PROGRAM_NODE, programNode } from '../helpers/nodes';
import type { JsonStatisticsReport } from '../../src/report/json';

type Ending = 'end' | 'throw' | 'reject';

interface Form {
  name: string;
  esm: boolean;
  /** Builds the form into `dir`; returns the entry for each script (`batch`, `batch-throw`, `batch-reject`). */
  build(dir: string): (script: string) => string;
}

const SCRIPTS: Record<Ending, string> = { end: 'batch', throw: 'batch-throw', reject: 'batch-reject' };

function copyFixture(dir: string, esm: boolean): void {
  fs.cpSync(path.join(FIXTURES, 'batch'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fixture-batch', private: true, type: esm ? 'module' : 'commonjs' }));
}

function tscForm(esm: boolean): Form {
  return {
    name: esm ? 'tsc, ES modules (inline map)' : 'tsc, CommonJS (external map)',
    esm,
    build(dir) {
      copyFixture(dir, esm);
      const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const files = ['batch', 'batch-throw', ...(esm ? ['batch-reject'] : [])].map((s) => path.join('src', `${s}.ts`));
      const flags = esm ? ['--module', 'nodenext', '--inlineSourceMap'] : ['--module', 'commonjs', '--moduleResolution', 'bundler', '--sourceMap'];
      const result = spawnSync(process.execPath, [tsc, '--target', 'es2022', ...flags, '--strict', '--types', 'node', '--typeRoots', path.join(REPO_ROOT, 'node_modules', '@types'), '--rootDir', 'src', '--outDir', 'dist', ...files], { cwd: dir, encoding: 'utf8' });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
      return (script) => path.join(dir, 'dist', `${script}.js`);
    },
  };
}

function esbuildForm(esm: boolean, minify: boolean): Form {
  return {
    name: `esbuild, ${esm ? 'ES module' : 'CommonJS'} bundle${minify ? ', minified' : ''}`,
    esm,
    build(dir) {
      copyFixture(dir, esm);
      const esbuild = require('esbuild') as typeof import('esbuild');
      return (script) => {
        const outfile = path.join(dir, 'dist', `${script}.${esm ? 'mjs' : 'cjs'}`);
        esbuild.buildSync({
          entryPoints: [path.join(dir, 'src', `${script}.ts`)],
          bundle: true,
          platform: 'node',
          target: 'node20',
          format: esm ? 'esm' : 'cjs',
          minify,
          sourcemap: esm ? 'inline' : 'linked',
          outfile,
          logLevel: 'silent',
        });
        return outfile;
      };
    },
  };
}

function plainForm(esm: boolean): Form {
  return {
    name: esm ? 'hand-written ES module (.mjs)' : 'hand-written CommonJS (no use strict, no blank line)',
    esm,
    build(dir) {
      copyFixture(dir, false);
      return (script) => path.join(dir, 'plain', `${script}.${esm ? 'mjs' : 'js'}`);
    },
  };
}

const FORMS: Form[] = [plainForm(false), plainForm(true), tscForm(false), tscForm(true), esbuildForm(false, false), esbuildForm(false, true), esbuildForm(true, false), esbuildForm(true, true)];

/** The --json report after the program's own stderr. */
function splitStderr(result: CliResult): { program: string; report: JsonStatisticsReport } {
  const start = result.stderr.indexOf('{\n  "schema"');
  assert.ok(start >= 0, `no JSON report in stderr:\n${result.stderr}`);
  return { program: result.stderr.slice(0, start), report: JSON.parse(result.stderr.slice(start)) as JsonStatisticsReport };
}

/**
 * Node 20 (and any Node without module.registerHooks) rewrites CommonJS in Module.prototype._compile:
 * its frame is one more line in a stack trace through it (docs/decisions.md); elsewhere nothing differs.
 */
function withoutOwnFrame(stderr: string): string {
  if (programNode().registerHooks) return stderr;
  return stderr.split('\n').filter((l) => !l.includes('alloctraceCompile')).join('\n');
}

const PLANTED = 4 * 8.2e6;

describe(`batch scripts on ${programNode().version}: the entry's top level is live at the end`, () => {
  for (const form of FORMS) {
    const dir = path.join(scratchDir(), `batch-${form.name.replace(/\W+/g, '-')}`);
    let entryOf: ((script: string) => string) | null = null;
    const entry = (script: string): string => {
      entryOf ??= form.build(dir);
      return entryOf(script);
    };
    const endings: Ending[] = form.esm ? ['end', 'throw', 'reject'] : ['end', 'throw'];
    for (const ending of endings) {
      it(`${form.name}, ${ending === 'end' ? 'ends normally' : ending === 'throw' ? 'top-level throw' : 'rejected top-level await'}`, async () => {
        const file = entry(SCRIPTS[ending]);
        const plain = spawnSync(PROGRAM_NODE, [file], { cwd: dir, encoding: 'utf8' });
        const result = await runAlloctrace(['--json', '--top', '0', file], { cwd: dir });
        assert.equal(result.code, plain.status, result.stderr);
        assert.equal(result.stdout, plain.stdout);
        assert.equal(result.stdout, 'batch 10000 10000 10000 10000\n');
        const { program, report } = splitStderr(result);
        // Known difference (docs/cli.md): with the observer thread connected, Node 22+ resumes an
        // ES module's evaluation from the microtask queue, and its top-level error's stack gains a
        // `processTicksAndRejections` frame plain node does not show.
        const tick = /^ {4}at process\.processTicksAndRejections \(node:internal\/process\/task_queues:\d+:\d+\)\n/m;
        const own = tick.test(plain.stderr) ? withoutOwnFrame(program) : withoutOwnFrame(program).replace(tick, '');
        // Node 20 stops stacks at 10 frames: ours pushes the last one out.
        const expected = programNode().registerHooks ? plain.stderr : plain.stderr.split('\n').slice(0, 8).join('\n');
        assert.ok(own.startsWith(expected), `program stderr differs:\n--- plain\n${plain.stderr}\n--- traced\n${program}`);
        if (ending !== 'end') assert.ok(plain.stderr.includes(ending === 'throw' ? 'planted failure' : 'planted rejection'), plain.stderr);

        const notes = report.notes.filter((n) => n.startsWith('program ended by'));
        if (ending === 'end') assert.deepEqual(notes, []);
        // Node reports an ES module's top-level throw as its evaluation's rejection on some lines.
        else if (ending === 'throw') assert.match(notes.join('|'), form.esm ? /^program ended by an (uncaught exception|unhandled promise rejection): Error: planted failure$/ : /^program ended by an uncaught exception: Error: planted failure$/);
        else assert.deepEqual(notes, ['program ended by an unhandled promise rejection: Error: planted rejection']);

        // A one-line CommonJS bundle that throws at its top level: its retainer never runs, and the
        // debugger pause that would read it at the throw is off while the observer thread is
        // connected (it hangs there). Documented in docs/cli.md; the ending is still said.
        if (!form.esm && form.name.includes('minified') && ending === 'throw') {
          assert.ok(!report.stats.some((s) => /batch-throw/.test(s.file ?? '') && s.size > 0.5 * PLANTED), 'the known gap closed: update the docs and this test');
          return;
        }
        const top = report.stats[0];
        assert.ok(top !== undefined, 'no rows');
        assert.equal(top.origin, 'user', JSON.stringify(report.stats.slice(0, 3)));
        assert.match(top.file ?? '', /batch(-throw|-reject)?\.(ts|m?js|cjs)$/, JSON.stringify(top));
        const rows = report.stats.filter((s) => s.file === top.file);
        const held = rows.reduce((sum, s) => sum + s.size, 0);
        assert.ok(held > 0.82 * PLANTED && held < 1.3 * PLANTED, `the script's rows hold ${(held / 1e6).toFixed(1)} MB of ~${(PLANTED / 1e6).toFixed(0)} planted: ${JSON.stringify(rows.map((r) => [r.line, r.function, r.size]))}`);
      });
    }
  }
});

describe(`the retainer on ${programNode().version}: what the program sees`, () => {
  for (const script of ['observe.js', 'observe.mjs', 'one-line-handled.js']) {
    it(`${script}: what it prints of itself (positions, modules, import.meta, handled errors) is plain node's`, async () => {
      const dir = path.join(scratchDir(), `batch-observe-${script}`);
      copyFixture(dir, false);
      const file = path.join(dir, 'plain', script);
      const plain = spawnSync(PROGRAM_NODE, [file], { cwd: dir, encoding: 'utf8' });
      assert.equal(plain.status, 0, plain.stderr);
      const result = await runAlloctrace(['--top', '1', file], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, plain.stdout);
      // One line with its own handler: the debugger armed for it changes nothing, and it did not end by them.
      assert.doesNotMatch(result.stderr, /program ended by/);
    });
  }
});
