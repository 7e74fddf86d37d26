/**
 * Records the replayed profiles of test/data/: runs the `leaky` fixture (an esbuild bundle with a
 * linked map) under the capture preload on each Node given, keeps the trace it wrote as written
 * (the fixture's folder replaced by `<fixture>`), and writes its golden dump beside it.
 *
 *   npm run build && node dist/test/helpers/record-replays.js <node binary>...
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_ENV, type CaptureConfig } from '../../src/capture/config';
import { PRODUCER } from '../../src/version';
import { buildFixture, REPO_ROOT } from './fixtures';
import { DATA, dumpReport, FIXTURE_DIR, loadRecorded } from './replay';

const PRELOAD = path.join(REPO_ROOT, 'dist', 'src', 'capture', 'preload.js');
const PROGRAM = 'leaky-bundle';

function record(node: string): void {
  const fixture = buildFixture('leaky', 'esbuild-cjs-bundle');
  const program = path.join(DATA, PROGRAM);
  fs.rmSync(program, { recursive: true, force: true });
  fs.mkdirSync(path.join(program, 'dist'), { recursive: true });
  for (const f of ['bundle.js', 'bundle.js.map']) fs.copyFileSync(path.join(fixture.dir, 'dist', f), path.join(program, 'dist', f));
  fs.copyFileSync(path.join(fixture.dir, 'package.json'), path.join(program, 'package.json'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-record-'));
  const config: CaptureConfig = { output: path.join(tmp, 'out.trace'), interval: 32 * 1024, mode: 'live', root: fixture.dir, argv: ['dist/bundle.js'], producer: PRODUCER };
  const run = spawnSync(node, [`--require=${PRELOAD}`, 'dist/bundle.js'], { cwd: fixture.dir, env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${node}: ${run.stderr}`);
  const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  const name = `node${version.split('.')[0]}-${PROGRAM}`;
  const escaped = JSON.stringify(fixture.dir).slice(1, -1);
  fs.writeFileSync(path.join(DATA, `${name}.trace`), fs.readFileSync(config.output, 'utf8').split(escaped).join(FIXTURE_DIR));
  fs.rmSync(tmp, { recursive: true, force: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloctrace-replay-'));
  fs.writeFileSync(path.join(DATA, `${name}.golden.txt`), dumpReport(loadRecorded(name, PROGRAM, dir)));
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`recorded ${name} (Node ${version})`);
}

fs.mkdirSync(DATA, { recursive: true });
for (const node of process.argv.slice(2)) record(node);
