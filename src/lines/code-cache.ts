/**
 * Generated scripts read and parsed for line resolution, once per run (a per-run object, never a
 * module global). Reading happens at report time, from the script's URL.
 */
import * as fs from 'node:fs';
import { BoundedCache } from '../bounded-cache';
import { FileReadError, readRegularFile } from '../read-file';
import { fileOfUrl } from '../trace/paths';
import { ScriptCode, type Position } from './script-code';
import { planWraps, type Wrap } from './wrap';

/** Largest script parsed: a bigger one keeps function lines rather than stalling the report. */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

export type LoadedCode =
  | {
      status: 'parsed';
      code: ScriptCode;
      text: string;
      /** The positions whose functions have their bodies (`positionKey`); `null`: every body (parsed whole). */
      bodies: ReadonlySet<string> | null;
    }
  | { status: 'unreadable' }
  | { status: 'unparsable'; error: string; /** The file changed after the program started: not what V8 ran. */ changed?: true };

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

  /**
   * The script at `url`, parsed; `memoryCode` is the code V8 ran where it is not the file. A
   * file modified after `startedMs` (the traced program's start) may not be the code V8 ran.
   * `wanted`: the function positions the caller asks about (a large script then keeps only
   * their bodies); omitted or `null`: the whole script.
   */
  load(url: string, memoryCode?: string, startedMs?: number, wanted: readonly Position[] | null = null): LoadedCode {
    let loaded = this.scripts.get(url);
    if (loaded?.status === 'parsed' && loaded.bodies !== null) {
      const have = loaded.bodies;
      // Parsed for other functions (an earlier trace of a series): again, for all of them.
      if (wanted === null || wanted.some((p) => !have.has(positionKey(p)))) {
        const union = wanted === null ? null : [...wanted, ...[...have].map(keyPosition)];
        loaded = parseCode(loaded.text, union);
        this.scripts.set(url, loaded, loaded.status === 'parsed' ? loaded.text.length : 0);
      }
    }
    if (loaded === undefined) {
      loaded = memoryCode === undefined ? loadCode(url, startedMs, wanted) : parseCode(memoryCode, wanted);
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

const positionKey = (p: Position): string => `${p.line}:${p.column}`;
const keyPosition = (key: string): Position => {
  const [line, column] = key.split(':').map(Number);
  return { line: line ?? 0, column: column ?? 0 };
};

function loadCode(url: string, startedMs: number | undefined, wanted: readonly Position[] | null): LoadedCode {
  const file = fileOfUrl(url);
  // A TypeScript file is not what V8 ran (a loader transpiled it in memory, or an exported
  // profile names original sources): its text says nothing about the positions.
  if (file === null || /\.[cm]?tsx?$/i.test(file)) return { status: 'unreadable' };
  let text: string;
  try {
    text = readRegularFile(file, MAX_SCRIPT_BYTES);
    // tsc --watch rewriting dist/ mid-run: the lines proven from the new text would be wrong.
    if (startedMs !== undefined && fs.statSync(file).mtimeMs > startedMs) {
      return { status: 'unparsable', error: 'changed on disk after the program started', changed: true };
    }
  } catch (error) {
    if (error instanceof FileReadError && error.code === 'EFBIG') return { status: 'unparsable', error: `larger than ${MAX_SCRIPT_BYTES} bytes` };
    return { status: 'unreadable' };
  }
  return parseCode(text, wanted);
}

function parseCode(source: string, wanted: readonly Position[] | null): LoadedCode {
  // Node strips a byte order mark before compiling: positions count without it.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  if (text.length > MAX_SCRIPT_BYTES) return { status: 'unparsable', error: `larger than ${MAX_SCRIPT_BYTES} bytes` };
  const parsed = ScriptCode.parse(text, wanted);
  const bodies = wanted === null || !parsed.ok || !parsed.code.partial ? null : new Set(wanted.map(positionKey));
  return parsed.ok ? { status: 'parsed', code: parsed.code, text, bodies } : { status: 'unparsable', error: parseErrorOf(parsed.error) };
}

/**
 * The parser's message without the code it quotes: a trace can name any local file as a script,
 * and acorn's `Identifier 'SECRET_TOKEN' has already been declared (2:4)` would print its tokens.
 */
export function parseErrorOf(message: string): string {
  const at = /\((\d+):(\d+)\)\s*$/.exec(message);
  return at === null ? 'syntax error' : `syntax error at line ${at[1]}, column ${Number(at[2]) + 1}`;
}
