/**
 * Generated scripts read and parsed for line resolution, once per run (a per-run object, never a
 * module global). Reading happens at report time, from the script's URL.
 */
import * as fs from 'node:fs';
import { BoundedCache } from '../bounded-cache';
import { fileOfUrl } from '../trace/v8-profile';
import { ScriptCode } from './script-code';
import { planWraps, type Wrap } from './wrap';

/** Largest script parsed: a bigger one keeps function lines rather than stalling the report. */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

export type LoadedCode =
  | { status: 'parsed'; code: ScriptCode; text: string }
  | { status: 'unreadable' }
  | { status: 'unparsable'; error: string };

/**
 * Most bytes of source kept parsed between uses (several traces of one run, e.g. a series of
 * snapshots, ask for the same scripts). A syntax tree takes some twenty to forty times its source.
 */
export const RETAINED_CODE_BYTES = 4 * 1024 * 1024;

export class CodeCache {
  private readonly scripts: BoundedCache<LoadedCode>;
  private readonly wraps = new Map<string, Wrap[]>();

  constructor(maxRetainedBytes = RETAINED_CODE_BYTES) {
    this.scripts = new BoundedCache(maxRetainedBytes);
  }

  /** The script at `url`, parsed; `memoryCode` is the code V8 ran where it is not the file. */
  load(url: string, memoryCode?: string): LoadedCode {
    let loaded = this.scripts.get(url);
    if (loaded === undefined) {
      loaded = memoryCode === undefined ? loadCode(url) : parseCode(memoryCode);
      this.scripts.set(url, loaded, loaded.status === 'parsed' ? loaded.text.length : 0);
    }
    return loaded;
  }

  /**
   * The caller is done with the scripts it loaded for now: parsed scripts beyond the retention
   * budget are let go, least recently used first (and loaded again if asked for).
   */
  release(): void {
    this.scripts.trim();
  }

  /** The `--exact-lines` wraps of a parsed script (computed as the traced process did). */
  wrapsOf(url: string, code: ScriptCode): Wrap[] {
    let wraps = this.wraps.get(url);
    if (wraps === undefined) {
      wraps = planWraps(code);
      this.wraps.set(url, wraps);
    }
    return wraps;
  }
}

function loadCode(url: string): LoadedCode {
  const file = fileOfUrl(url);
  // A TypeScript file is not what V8 ran (a loader transpiled it in memory, or an exported
  // profile names original sources): its text says nothing about the positions.
  if (file === null || /\.[cm]?tsx?$/i.test(file)) return { status: 'unreadable' };
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_SCRIPT_BYTES) return { status: 'unparsable', error: `larger than ${MAX_SCRIPT_BYTES} bytes` };
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { status: 'unreadable' };
  }
  return parseCode(text);
}

function parseCode(source: string): LoadedCode {
  // Node strips a byte order mark before compiling: positions count without it.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (text.length > MAX_SCRIPT_BYTES) return { status: 'unparsable', error: `larger than ${MAX_SCRIPT_BYTES} bytes` };
  const parsed = ScriptCode.parse(text);
  return parsed.ok ? { status: 'parsed', code: parsed.code, text } : { status: 'unparsable', error: parsed.error };
}
