/**
 * Drops the parts of a freshly imported trace that no sample uses. In live mode V8 keeps the
 * call-tree nodes of collected objects (only their samples go), so a long run's tree is mostly
 * empty branches: they would cost file size, and every script they name would be read, mapped
 * and parsed for nothing. Pure.
 */
import type { FrameRecord, ScriptRecord, TraceFile } from './format';

export function pruneUnsampled(trace: TraceFile): TraceFile {
  const { frame: frameCol, parent: parentCol } = trace.stacks;
  const keep = new Uint8Array(frameCol.length);
  for (const s of trace.samples.stack) {
    // Parents come before children: walk up until a stack already kept.
    for (let i = s; i >= 0 && keep[i] === 0; i = parentCol[i] ?? -1) keep[i] = 1;
  }
  const stackMap = new Int32Array(frameCol.length).fill(-1);
  const usedFrames = new Map<number, number>();
  const newFrameOf = (old: number): number => {
    let f = usedFrames.get(old);
    if (f === undefined) {
      f = usedFrames.size;
      usedFrames.set(old, f);
    }
    return f;
  };
  const stacks: TraceFile['stacks'] = { frame: [], parent: [] };
  for (let i = 0; i < frameCol.length; i++) {
    if (keep[i] === 0) continue;
    stackMap[i] = stacks.frame.length;
    stacks.frame.push(newFrameOf(frameCol[i]!));
    const p = parentCol[i] ?? -1;
    stacks.parent.push(p < 0 ? -1 : stackMap[p]!);
  }
  if (stacks.frame.length === frameCol.length && usedFrames.size === trace.frames.length) return trace;

  const scriptMap = new Map<number, number>();
  const scripts: ScriptRecord[] = [];
  const frames: FrameRecord[] = new Array<FrameRecord>(usedFrames.size);
  for (const [old, now] of usedFrames) {
    const frame = trace.frames[old]!;
    if (frame.kind === 'script') {
      let script = scriptMap.get(frame.script);
      if (script === undefined) {
        script = scripts.length;
        scripts.push(trace.scripts[frame.script]!);
        scriptMap.set(frame.script, script);
      }
      frames[now] = { ...frame, script };
    } else {
      frames[now] = frame;
    }
  }
  return {
    ...trace,
    scripts,
    frames,
    stacks,
    samples: { ...trace.samples, stack: trace.samples.stack.map((s) => stackMap[s]!) },
  };
}
