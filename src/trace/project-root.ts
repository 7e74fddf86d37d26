/** The project root of a program: the folder that trace paths are shown relative to. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularFile } from '../read-file';

/**
 * Whether a package.json marks a project, not a build folder's module-type marker: tsc and
 * bundler setups put `{"type": "module"}` (and nothing else) in `dist/` to set how Node loads it.
 */
function isProjectManifest(file: string): boolean {
  let text: string;
  try {
    text = readRegularFile(file, 16 * 1024 * 1024);
  } catch {
    return false;
  }
  try {
    const json: unknown = JSON.parse(text);
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return true;
    return Object.keys(json).some((key) => key !== 'type');
  } catch {
    return true; // broken JSON is still somebody's package.json
  }
}

/** The nearest folder at or above `start` holding a project's package.json, else `fallback`. */
export function findProjectRoot(start: string, fallback: string): string {
  let dir = path.resolve(start);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && isProjectManifest(manifest)) return dir;
    const up = path.dirname(dir);
    if (up === dir) return fallback;
    dir = up;
  }
}
