/**
 * `module.register` hooks (Node without `module.registerHooks`; run on Node's hooks thread): the
 * entry, when it loads as an ES module, gets the line that keeps its top-level scope alive.
 */
import { retainModuleScope } from './scope-retain-source';

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
}

let entry: string | null = null;

export function initialize(data: { entry?: unknown } | undefined): void {
  entry = typeof data?.entry === 'string' ? data.entry : null;
}

export async function load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<LoadResult>): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (url !== entry || result.format !== 'module' || result.source == null) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as ArrayBuffer).toString('utf8');
  return { ...result, source: retainModuleScope(source) };
}
