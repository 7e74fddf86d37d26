/** Validation of the leak-hunting options: filters, snapshot period and signal. */
import * as os from 'node:os';
import { AlloctraceError } from '../errors';
import type { TraceFilter } from '../analyze/filter';

function usage(message: string): AlloctraceError {
  return new AlloctraceError('ERR_USAGE', message);
}

/** `src/cache/*`, `src/cache.ts:42` → a filter. A trailing `:N` is a line number. */
export function parseFilter(value: string, inclusive: boolean, allFrames: boolean): TraceFilter {
  const name = inclusive ? '--include' : '--exclude';
  const match = /^(.*):(\d+)$/.exec(value);
  const pattern = match === null ? value : match[1]!;
  if (pattern.trim() === '') throw usage(`${name} needs a file pattern such as 'src/cache/*' or 'src/a.ts:42' (got '${value}')`);
  const filter: TraceFilter = { inclusive, pattern, allFrames };
  if (match !== null) {
    const line = Number(match[2]);
    if (line < 1) throw usage(`${name}: line numbers start at 1 (got '${value}')`);
    filter.line = line;
  }
  return filter;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** `500ms`, `30s`, `30` (seconds), `2m`, `1h` → milliseconds. */
export function parseDuration(value: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const factor = match === null ? undefined : DURATION_UNITS[(match[2] ?? '').toLowerCase()];
  if (match === null || factor === undefined) throw usage(`${name} must be a duration such as 500ms, 30s or 2m (got '${value}')`);
  const ms = Math.round(Number(match[1]) * factor);
  if (ms < 10 || ms > 2 ** 31 - 1) throw usage(`${name} must be between 10ms and 24 days (got '${value}')`);
  return ms;
}

/**
 * Signals that cannot be caught, that Node keeps for itself (SIGUSR1 starts the inspector and
 * would open a port), or that report a crash.
 */
/** Signals that end a program (and that alloctrace passes on as such, D22). */
const ENDING = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']);
const REFUSED = new Set(['SIGKILL', 'SIGSTOP', 'SIGUSR1', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT', 'SIGTRAP']);

/** `SIGUSR2`, `usr2`, `none` → a signal name, or `null` for none. */
export function parseSnapshotSignal(value: string): NodeJS.Signals | null {
  if (value.toLowerCase() === 'none') return null;
  const upper = value.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!(name in os.constants.signals)) throw usage(`--snapshot-signal must be a signal name such as SIGUSR2, or none (got '${value}')`);
  if (ENDING.has(name)) throw usage(`--snapshot-signal cannot be ${name}: it ends the program; pick another, such as SIGUSR2, or none`);
  if (REFUSED.has(name)) throw usage(`--snapshot-signal cannot be ${name}: pick another, such as SIGUSR2, or none`);
  return name as NodeJS.Signals;
}
