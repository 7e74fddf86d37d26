/** The project root that trace paths are relative to. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findProjectRoot } from '../../../src/trace/project-root';
import { scratchDir } from '../../helpers/fixtures';

describe('project root', () => {
  it('is the nearest package.json that names a project, not a dist/ module-type marker', () => {
    const root = fs.mkdtempSync(path.join(scratchDir(), 'root-'));
    const dist = path.join(root, 'dist', 'lib');
    fs.mkdirSync(dist, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
    fs.writeFileSync(path.join(root, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));
    assert.equal(findProjectRoot(dist, '/fallback'), root);
    fs.writeFileSync(path.join(root, 'dist', 'package.json'), JSON.stringify({ name: 'built', type: 'module' }));
    assert.equal(findProjectRoot(dist, '/fallback'), path.join(root, 'dist'));
  });

  it('falls back when no project is above', () => {
    assert.equal(findProjectRoot('/', '/fallback'), fs.existsSync('/package.json') ? '/' : '/fallback');
  });
});
