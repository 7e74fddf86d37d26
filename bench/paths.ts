/** Where the bench finds the built CLI, preload and workloads (everything runs from dist/). */
import * as path from 'node:path';

/** Repository root (dist/bench/ is two levels down). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'bin', 'alloctrace.js');
export const PRELOAD = path.join(REPO_ROOT, 'dist', 'src', 'capture', 'preload.js');
export const WORKLOADS = path.join(__dirname, 'workloads');

export function workload(name: string): string {
  return path.join(WORKLOADS, `${name}.js`);
}
