/**
 * Progress on stderr for analysis that takes more than a second, when stderr is a terminal: the
 * work is synchronous, so each finished stage says so once a second has passed, on one line
 * that is cleared at the end. Nothing is written to a pipe or a file.
 */
import type { CliIo } from './io';

export class Progress {
  private readonly started: number;
  private shown = false;

  constructor(
    private readonly io: Pick<CliIo, 'writeErr'>,
    private readonly enabled = process.stderr.isTTY === true,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** `done`: the stage just finished, e.g. "read 3 traces". */
  step(done: string): void {
    const elapsed = this.now() - this.started;
    if (!this.enabled || elapsed < 1000) return;
    this.io.writeErr(`\r\x1b[2Kalloctrace: ${done} (${(elapsed / 1000).toFixed(1)} s)…`);
    this.shown = true;
  }

  /** Clears the line before the report or the next message. */
  end(): void {
    if (this.shown) this.io.writeErr('\r\x1b[2K');
    this.shown = false;
  }
}
