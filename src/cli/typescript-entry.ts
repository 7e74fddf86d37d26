/**
 * A `.ts` entry runs only on a Node that strips types (22.18+, 23.6+; 22.6+ with
 * `--experimental-strip-types`) or with a loader. Refusing early with one line beats a Node 20
 * syntax error followed by an empty report.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AlloctraceError } from '../errors';

const TYPESCRIPT_FILE = /\.[cm]?ts$/i;
// Flags through which a loader (tsx, ts-node…) may take over TypeScript files.
const LOADER_FLAG = /(?:^|\s)(?:--import|--require|-r|--loader|--experimental-loader)(?:[=\s]|$)/;

interface NodeTypeScript {
  version: string;
  /** `process.features.typescript`: 'strip', 'transform', or false/undefined (none). */
  typescript: unknown;
}

function probe(node: string, env: NodeJS.ProcessEnv): NodeTypeScript | null {
  if (node === process.execPath && env['NODE_OPTIONS'] === process.env['NODE_OPTIONS']) {
    return { version: process.version, typescript: (process.features as { typescript?: unknown }).typescript };
  }
  const result = spawnSync(node, ['-p', 'JSON.stringify([process.version, process.features.typescript ?? false])'], { env, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) return null; // Not runnable: the spawn itself reports it.
  try {
    const [version, typescript] = JSON.parse(result.stdout) as [string, unknown];
    return { version, typescript };
  } catch {
    return null;
  }
}

/** Throws a usage error when `scriptPath` is TypeScript and `node` cannot run it. */
export function checkTypeScriptEntry(scriptPath: string, node: string, env: NodeJS.ProcessEnv): void {
  if (!TYPESCRIPT_FILE.test(scriptPath) || LOADER_FLAG.test(env['NODE_OPTIONS'] ?? '')) return;
  const found = probe(node, env);
  if (found === null || (found.typescript !== false && found.typescript !== undefined)) return;
  throw new AlloctraceError(
    'ERR_USAGE',
    `Node ${found.version} cannot run ${path.basename(scriptPath)}: running .ts files needs Node 22.18+ (type stripping); run the compiled JavaScript, or use --node with a newer Node`,
  );
}
