/**
 * `--exact-lines` module hooks (run by `module.register` off the main thread): ES modules of
 * user code are loaded wrapped; each rewritten URL is posted back to the preload. Where Node has
 * `module.registerHooks`, the preload runs `rewriteModule` in its own thread instead.
 */
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { isWrappableFile } from './exact-lines-predicate';
import { wrapSource } from './exact-lines-transform';

let port: MessagePort | null = null;

export function initialize(data: { port?: MessagePort } | undefined): void {
  port = data?.port ?? null;
}

export interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

/** The wrapped module, or `null` when `url` is not user ES module code that parses. */
export function rewriteModule(url: string, result: LoadResult): LoadResult | null {
  if (result.format !== 'module' || !url.startsWith('file:') || result.source == null) return null;
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch {
    return null;
  }
  if (!isWrappableFile(file)) return null;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as ArrayBuffer).toString('utf8');
  const wrapped = wrapSource(source);
  return wrapped === null ? null : { ...result, source: wrapped };
}

export async function load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<LoadResult>): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  const rewritten = rewriteModule(url, result);
  if (rewritten === null) return result;
  port?.postMessage(url);
  return rewritten;
}
