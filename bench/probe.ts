/**
 * Loaded into every node process of a measured run (through NODE_OPTIONS=--require): at exit it
 * appends one JSON line with the process's peak RSS and lifetime to the file named by
 * `ALLOCTRACE_BENCH_PROBE`. Pure Node, so the bench needs no /usr/bin/time.
 *
 * NODE_OPTIONS preloads run before command-line ones, so this module's first 'exit' listener would
 * run before alloctrace's own (which writes the trace). The record is therefore taken by a second
 * listener added one tick later, after every preload: peak RSS and lifetime include the trace write.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';

export const PROBE_ENV = 'ALLOCTRACE_BENCH_PROBE';

/** One process's line in the probe file. */
export interface ProbeRecord {
  pid: number;
  ppid: number;
  /** `process.argv` without the node binary: the script first. */
  argv: string[];
  execArgv: string[];
  /** Peak resident set size, KiB (getrusage ru_maxrss). */
  maxRssKiB: number;
  /** Milliseconds from process start to the end of the last exit listener. */
  uptimeMs: number;
  /** Milliseconds from process start to the first exit listener: the program's own run. */
  exitStartMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Wall-clock time (ms since the epoch) at the end of the last exit listener: orders the processes of a run. */
  endedAtMs: number;
}

function install(file: string): void {
  let exitStartMs = -1;
  let late = false;
  const record = (): void => {
    const usage = process.resourceUsage();
    const line: ProbeRecord = {
      pid: process.pid,
      ppid: process.ppid,
      argv: process.argv.slice(1),
      execArgv: process.execArgv,
      maxRssKiB: usage.maxRSS,
      uptimeMs: process.uptime() * 1000,
      exitStartMs: exitStartMs < 0 ? process.uptime() * 1000 : exitStartMs,
      cpuUserMs: usage.userCPUTime / 1000,
      cpuSystemMs: usage.systemCPUTime / 1000,
      endedAtMs: performance.timeOrigin + performance.now(),
    };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  process.on('exit', () => {
    exitStartMs = process.uptime() * 1000;
    // A program that exits before the first tick never got the late listener.
    if (!late) record();
  });
  process.nextTick(() => {
    late = true;
    process.on('exit', record);
  });
}

const target = process.env[PROBE_ENV];
if (target !== undefined && target !== '') install(target);
