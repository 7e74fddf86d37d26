/**
 * The version of the Node that runs the traced program (`--node`), which need not be the one
 * running alloctrace: what that program can do (strip TypeScript types, for one) depends on it.
 */
import { spawnSync } from 'node:child_process';

/** `process.version` of `node`; this process's own when `node` cannot be asked (its start then fails and says so). */
export function nodeVersionOf(node: string, env: NodeJS.ProcessEnv): string {
  if (node === process.execPath) return process.version;
  const result = spawnSync(node, ['-p', 'process.version'], { env: { ...env, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 30_000 });
  const version = result.status === 0 ? result.stdout.trim() : '';
  return /^v\d+\.\d+\.\d+/.test(version) ? version : process.version;
}
