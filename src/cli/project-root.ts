import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nearest folder at or above `start` holding a package.json, else `fallback`. */
export function findProjectRoot(start: string, fallback: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return fallback;
    dir = up;
  }
}
