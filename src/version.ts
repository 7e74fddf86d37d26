/** This package's version and the `producer` string written into traces. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();
export const PRODUCER = `alloctrace/${VERSION}`;
