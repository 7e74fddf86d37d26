/**
 * Signals the program sends to `alloctrace run` itself (`process.kill(process.ppid, …)`): the CLI
 * forwards what it gets to the program, so without a mark the program would signal itself (D13).
 * `process.kill` calls `process._kill`, looked up at each call (Node patches it in its own tests).
 */
import * as os from 'node:os';
import { markOwnSignal } from './control';

const FORWARDED: ReadonlySet<string> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2']);

export function markSignalsToCli(controlDir: string, cliPid: number): void {
  const target = process as unknown as { _kill?: (pid: number, signal: number) => number };
  const kill = target._kill;
  if (typeof kill !== 'function') return;
  const names = new Map(Object.entries(os.constants.signals).map(([name, number]) => [number, name]));
  target._kill = function alloctraceKill(this: unknown, pid: number, signal: number): number {
    const name = names.get(signal);
    if (pid === cliPid && name !== undefined && FORWARDED.has(name)) markOwnSignal(controlDir, name);
    return kill.call(this, pid, signal);
  };
}
