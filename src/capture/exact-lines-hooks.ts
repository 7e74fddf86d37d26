/**
 * `--exact-lines` module hooks (run by `module.register` off the main thread): ES modules of
 * user code are loaded wrapped; each rewritten URL is posted back to the preload.
 */
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { isWrappableFile } from './exact-lines-predicate';
import { wrapSource } from './exact-lines-transform';

let port: MessagePort | null = null;

export function initialize(data: { port?: MessagePort } | undefined): void {
  port = data?.port ?? null;
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

export async function load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<LoadResult>): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || !url.startsWith('file:') || result.source == null) return result;
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch {
    return result;
  }
  if (!isWrappableFile(file)) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source as ArrayBuffer).toString('utf8');
  const wrapped = wrapSource(source);
  if (wrapped === null) return result;
  port?.postMessage(url);
  return { ...result, source: wrapped };
}
