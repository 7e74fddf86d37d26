/**
 * Reads back the positions of scripts that ran rewritten by `--exact-lines`: each frame's
 * position in the rewritten code becomes its position in the file, and the functions alloctrace
 * wrapped around expressions become "their enclosing function, at that expression" (`wrapper`).
 * The rewrite is recomputed from the file, exactly as the traced process made it.
 */
import type { FrameRecord, ScriptFrameRecord, ScriptRecord, TraceFile } from '../trace/format';
import { CodeCache } from './code-cache';
import { lineStartsOf } from './script-code';
import { applyWraps, WrapTranslator } from './wrap';

export interface ReadWrappedResult {
  trace: TraceFile;
  warnings: string[];
}

export function readWrappedPositions(trace: TraceFile, cache = new CodeCache()): ReadWrappedResult {
  const warnings: string[] = [];
  const translators = new Map<number, (line: number, column: number) => { line: number; column: number; wrapper: { line: number; column: number } | null } | null>();
  const scripts: ScriptRecord[] = trace.scripts.map((script, i) => {
    if (script.exactLines !== 'wrapped') return script;
    const loaded = cache.load(script.url);
    if (loaded.status !== 'parsed') {
      warnings.push(`${script.path ?? script.url}: ran with --exact-lines but cannot be read back; its positions may be off`);
      return script;
    }
    const { code, text } = loaded;
    const wraps = cache.wrapsOf(script.url, code);
    const starts = lineStartsOf(applyWraps(text, wraps));
    const translator = new WrapTranslator(wraps);
    translators.set(i, (line, column) => {
      const start = starts[line - 1];
      if (start === undefined) return null;
      const { offset, wrap } = translator.original(start + column - 1);
      return { ...code.positionOf(offset), wrapper: wrap === null ? null : code.positionOf(wrap.start) };
    });
    return { ...script, exactLines: 'read' };
  });
  if (translators.size === 0) return { trace, warnings };

  const frames: FrameRecord[] = trace.frames.map((frame) => {
    if (frame.kind !== 'script' || frame.topLevel === true) return frame;
    const translate = translators.get(frame.script);
    const at = translate?.(frame.line, frame.column);
    if (at == null) return frame;
    const moved: ScriptFrameRecord = { ...frame, line: at.line, column: at.column };
    if (at.wrapper !== null) moved.wrapper = at.wrapper;
    return moved;
  });

  // A wrapper stands for the function it was called from (its only caller: it is invoked where
  // it is written): take that frame's identity, keep the expression's position.
  const { frame: frameCol, parent: parentCol } = trace.stacks;
  const isWrapper = (f: number): boolean => (frames[f] as ScriptFrameRecord | undefined)?.wrapper !== undefined;
  const enclosing = new Map<number, number>();
  for (let node = 0; node < frameCol.length; node++) {
    const f = frameCol[node]!;
    if (!isWrapper(f) || enclosing.has(f)) continue;
    let p = parentCol[node] ?? -1;
    while (p >= 0 && isWrapper(frameCol[p]!)) p = parentCol[p] ?? -1;
    if (p >= 0) enclosing.set(f, frameCol[p]!);
  }
  for (const [w, e] of enclosing) {
    const wrapper = frames[w] as ScriptFrameRecord;
    const outer = frames[e];
    if (outer?.kind === 'script' && outer.script === wrapper.script) frames[w] = { ...outer, wrapper: wrapper.wrapper! };
  }
  return { trace: { ...trace, scripts, frames }, warnings };
}
