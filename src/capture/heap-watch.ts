/**
 * When the observer takes a trace from the heap alone: at a new high-water mark of live heap
 * (`--mode peak`) and as the heap nears its limit (so a program killed by V8's out-of-memory
 * error leaves a trace of what filled it). Pure: heap readings in, decisions out. Each capture
 * costs the program a full GC, so peak captures spend from a budget: a burst for a short spike
 * (a peak built in a tenth of a second is caught), then a fifth of the time elapsed.
 */

/** Fractions of the old-generation limit at which a near-limit trace is taken. */
const LIMIT_LEVELS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95];
/** A new peak is worth a capture only this much above the last one (and by at least MIN_GROWTH). */
const PEAK_GROWTH = 1.1;
const MIN_GROWTH = 2 << 20;
/**
 * Milliseconds of captures the budget holds at most (and at the start). New highs 10 % apart make
 * the captures of a whole run logarithmic in its heap (60 MB from a 4 MB start: ~20, costing about
 * ten GCs of the final heap); the budget spreads them out: with 400 ms and a tenth of the elapsed
 * time, a 60 MB build over 3 s on a loaded machine spent it by 15 MB.
 */
const BURST_MS = 1000;
/** Share of the elapsed time the budget grows by: what peak captures may cost a long run. */
const SHARE = 0.2;

export type CaptureKind = 'peak' | 'heap-limit';

export interface HeapWatchOptions {
  /** Bytes of old generation V8 may use before it fails with "heap out of memory". */
  limit: number;
  peak: boolean;
}

export class HeapWatch {
  /** Live heap of the best peak trace written so far. */
  private best = 0;
  /** Index of the highest limit level a trace was taken at. */
  private level = -1;
  /** The level the capture under way was asked for. */
  private pending = -1;
  /** Milliseconds of peak captures the program can still be charged now. */
  private budget = BURST_MS;
  private last: number | null = null;

  constructor(private readonly options: HeapWatchOptions) {}

  /** Given the heap in use now (live and garbage), whether to take a trace. */
  next(used: number, now: number): CaptureKind | null {
    if (this.last !== null) this.budget = Math.min(BURST_MS, this.budget + SHARE * Math.max(0, now - this.last));
    this.last = now;
    let level = this.level;
    while (level + 1 < LIMIT_LEVELS.length && used >= (LIMIT_LEVELS[level + 1] ?? 1) * this.options.limit) level += 1;
    this.pending = level;
    // At most seven of these: taken whatever the budget, as the program may be about to die.
    if (level > this.level) return 'heap-limit';
    if (this.options.peak && this.budget > 0 && used > this.best * PEAK_GROWTH && used - this.best >= MIN_GROWTH) return 'peak';
    return null;
  }

  /** What a capture found: the live heap right after its GC, whether it was kept, its cost. */
  captured(live: number, kept: boolean, costMs: number, now: number): void {
    if (kept) this.best = Math.max(this.best, live);
    // A level is taken once, even when its capture found mostly garbage: no GC storm near a limit.
    this.level = Math.max(this.level, this.pending);
    this.budget -= costMs;
    this.last = now;
  }
}

/** `--max-old-space-size` as node was given it (command line or NODE_OPTIONS), in bytes. */
export function oldSpaceFlag(execArgv: readonly string[], nodeOptions: string | undefined): number | null {
  const words = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  let found: number | null = null;
  words.forEach((word, i) => {
    const match = /^--max[-_]old[-_]space[-_]size(?:=(\d+))?$/.exec(word);
    if (match === null) return;
    const value = Number(match[1] ?? words[i + 1]);
    if (Number.isFinite(value) && value > 0) found = value * 1024 * 1024;
  });
  return found;
}
