/** The `testkit` fixture (alloctrace/test's suites) with a node_modules of its own: the repo's packages, and alloctrace itself. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildFixture, REPO_ROOT, type BuiltFixture } from './fixtures';

export function testkitProject(): BuiltFixture {
  const fixture = buildFixture('testkit', 'tsc-cjs');
  const modules = path.join(fixture.dir, 'node_modules');
  if (!fs.existsSync(modules)) {
    fs.mkdirSync(modules);
    for (const entry of fs.readdirSync(path.join(REPO_ROOT, 'node_modules'))) fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(modules, entry));
    fs.symlinkSync(REPO_ROOT, path.join(modules, 'alloctrace'));
  }
  return fixture;
}
