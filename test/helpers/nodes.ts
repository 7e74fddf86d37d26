/**
 * Which Node the tests run traced programs on. The test matrix (scripts/test-matrix.js) sets
 * ALLOCTRACE_TEST_NODE to trace programs on another release line while the CLI runs on this one;
 * otherwise programs run on the Node running the tests (which may itself be the matrix's Node).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const TEST_NODE_ENV = 'ALLOCTRACE_TEST_NODE';

/** A path made absolute (tests run programs in other folders); a bare command name stays for PATH. */
export function resolveNode(node: string): string {
  return node.includes('/') || node.includes(path.sep) ? path.resolve(node) : node;
}

/** Path of the Node binary that runs traced programs. */
export const PROGRAM_NODE: string = resolveNode(process.env[TEST_NODE_ENV] || process.execPath);

export interface NodeFacts {
  /** `v22.23.3`. */
  version: string;
  major: number;
  minor: number;
  /** `process.features.typescript`: 'strip', 'transform' or false. */
  typescript: string | false;
  /** `process.features.require_module`: require() of ES modules works. */
  requireModule: boolean;
  /** `module.registerHooks` (synchronous in-thread module hooks) exists. */
  registerHooks: boolean;
}

let facts: NodeFacts | null = null;

/** Facts about PROGRAM_NODE, asked of that Node itself (once per test process). */
export function programNode(): NodeFacts {
  if (facts !== null) return facts;
  const script =
    "console.log(JSON.stringify({ version: process.version, typescript: process.features.typescript ?? false, requireModule: process.features.require_module === true, registerHooks: typeof require('node:module').registerHooks === 'function' }))";
  const result = spawnSync(PROGRAM_NODE, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (result.status !== 0) throw new Error(`cannot run ${PROGRAM_NODE}: ${result.stderr}`);
  const raw = JSON.parse(result.stdout) as Omit<NodeFacts, 'major' | 'minor'>;
  const [major = 0, minor = 0] = raw.version.slice(1).split('.').map(Number);
  facts = { ...raw, major, minor };
  return facts;
}
