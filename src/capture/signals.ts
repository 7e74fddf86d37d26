/**
 * The signals that end a program (SIGINT, SIGTERM, SIGHUP), on the main thread. A JS listener
 * takes away Node's default "die now" and runs only between event-loop turns, so ours is there
 * only while the program has none of its own: `signal-exit` (v3, v4) re-raises only when its
 * listeners are alone (D2), and a program that listens decides. When the program's last
 * listener goes (signal-exit unloading before it re-raises), ours comes back, so the re-raised
 * signal still writes the trace.
 */
export const TERMINATING_SIGNALS: readonly string[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** What a signal did: the program listens to it and decides, or the program ends by it now. */
export type SignalOutcome = 'program' | 'ended';

export class TerminationSignals {
  private readonly ours = new Map<string, () => void>();
  /** Our own adds and removes, which the program's listener bookkeeping must not react to. */
  private changing = false;
  private ending = false;

  /** `flush` writes the trace (once); `beforeDeath` runs last, before the signal is raised. */
  constructor(
    private readonly flush: (signal: string) => void,
    private readonly beforeDeath: () => void = () => undefined,
  ) {}

  install(): void {
    for (const signal of TERMINATING_SIGNALS) {
      this.ours.set(signal, () => {
        this.endBy(signal);
      });
      this.sync(signal);
    }
    // After the program's add (newListener fires before it): taking ours away inside the event
    // would let Node close the signal handle the new listener is about to need.
    process.on('newListener', (event: string | symbol) => {
      if (!this.changing && this.ours.has(event as string)) queueMicrotask(() => this.sync(event as string));
    });
    // At once: signal-exit unloads, then re-raises in the same breath.
    process.on('removeListener', (event: string | symbol) => {
      if (this.changing || !this.ours.has(event as string)) return;
      this.sync(event as string);
      queueMicrotask(() => this.sync(event as string));
    });
  }

  /** Whether the program has listeners of its own for `signal`. */
  programListens(signal: string): boolean {
    const ours = this.ours.get(signal);
    return process.listeners(signal as NodeJS.Signals).some((listener) => listener !== ours);
  }

  /**
   * The program got `signal` (or is about to): with no listener of its own it ends by it, trace
   * first, with Node's default disposition (so the status is a death by that signal). `raise`
   * false: the caller raises it (the observer, once it has let go of this thread).
   */
  endBy(signal: string, raise = true): SignalOutcome {
    if (this.programListens(signal)) return 'program';
    this.ending = true;
    this.flush(signal);
    this.changing = true;
    const ours = this.ours.get(signal);
    if (ours !== undefined) process.removeListener(signal, ours);
    this.changing = false;
    if (!raise) return 'ended';
    this.beforeDeath();
    process.kill(process.pid, signal);
    return 'ended';
  }

  private sync(signal: string): void {
    const ours = this.ours.get(signal);
    if (ours === undefined || this.ending) return;
    const installed = process.listeners(signal as NodeJS.Signals).includes(ours);
    const wanted = !this.programListens(signal);
    if (installed === wanted) return;
    this.changing = true;
    try {
      if (wanted) process.on(signal, ours);
      else process.removeListener(signal, ours);
    } finally {
      this.changing = false;
    }
  }
}
