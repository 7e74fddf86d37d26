/**
 * `node --heap-prof` (on the command line or in NODE_OPTIONS) starts V8's one sampling heap
 * profiler per thread before the preload runs; alloctrace's own start then succeeds silently but
 * changes nothing: samples come every `--heap-prof-interval` bytes (node's default 512 KiB),
 * live memory only. The trace must say the interval V8 really used, or every count is wrong.
 */

const NODE_DEFAULT_INTERVAL = 512 * 1024;

/** The interval `--heap-prof` samples at, or `null` when it is not on. */
export function heapProfInterval(execArgv: readonly string[], nodeOptions: string | undefined): number | null {
  const args = [...execArgv, ...(nodeOptions ?? '').split(/\s+/).filter((a) => a !== '')];
  if (!args.includes('--heap-prof')) return null;
  let interval = NODE_DEFAULT_INTERVAL;
  args.forEach((arg, i) => {
    const match = /^--heap-prof-interval(?:=(.*))?$/.exec(arg);
    if (match === null) return;
    const value = Number(match[1] ?? args[i + 1]);
    if (Number.isInteger(value) && value > 0) interval = value;
  });
  return interval;
}

export function heapProfNote(interval: number): string {
  return `node's --heap-prof owns V8's sampling heap profiler here: sampled every ${interval} B (its --heap-prof-interval), live memory only`;
}
