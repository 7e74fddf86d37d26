/**
 * Whether a terminal's keyboard signals (Ctrl-C, Ctrl-\) reach the program by themselves: the
 * terminal sends them to its whole foreground process group, and the program (spawned without
 * `detached`) is in ours.
 */
import * as fs from 'node:fs';

/** The fields of `/proc/<pid>/stat` that say where a process stands with its terminal. */
export interface TerminalStanding {
  /** Process group. */
  readonly pgrp: number;
  /** Controlling terminal's device number; 0 when there is none. */
  readonly ttyNr: number;
  /** Foreground process group of the controlling terminal; -1 when there is none. */
  readonly tpgid: number;
}

/**
 * Reads the fields after the command name of a `/proc/<pid>/stat` line (the name is in
 * parentheses and may itself hold spaces and parentheses, so the last `)` ends it).
 * Returns `null` for a line of another shape.
 */
export function parseProcStat(line: string): TerminalStanding | null {
  const close = line.lastIndexOf(')');
  if (close < 0) return null;
  // state ppid pgrp session tty_nr tpgid ...
  const fields = line.slice(close + 1).trim().split(/\s+/);
  const pgrp = Number(fields[2]);
  const ttyNr = Number(fields[4]);
  const tpgid = Number(fields[5]);
  if (fields.length < 6 || ![pgrp, ttyNr, tpgid].every(Number.isInteger)) return null;
  return { pgrp, ttyNr, tpgid };
}

/** A process in the foreground group of its controlling terminal gets that terminal's keyboard signals. */
export function isTerminalForeground(standing: TerminalStanding): boolean {
  return standing.ttyNr !== 0 && standing.tpgid > 0 && standing.tpgid === standing.pgrp;
}

/**
 * Whether keyboard signals from a terminal reach this process (and so the program) directly.
 * Asked at the moment a signal arrives: a shell's job control can move us between foreground and
 * background. Where `/proc` is not there, any stdio on a TTY stands for "in a terminal".
 */
export function keyboardSignalsReachUs(): boolean {
  let standing: TerminalStanding | null = null;
  try {
    standing = parseProcStat(fs.readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    standing = null;
  }
  if (standing !== null) return isTerminalForeground(standing);
  return process.stdin.isTTY === true || process.stdout.isTTY === true || process.stderr.isTTY === true;
}
