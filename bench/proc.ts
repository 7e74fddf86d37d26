/** Runs a command as a measured child process: wall time, exit, output and the probe records. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROBE_ENV, type ProbeRecord } from './probe';

export const PROBE = path.join(__dirname, 'probe.js');

export interface Measured {
  wallMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** One record per node process of the run (the command and the processes it started). */
  processes: ProbeRecord[];
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Scratch folder for the probe file. */
  scratch: string;
  timeoutMs?: number;
}

let counter = 0;

export function measure(command: string, args: readonly string[], options: MeasureOptions): Promise<Measured> {
  const probeFile = path.join(options.scratch, `probe-${process.pid}-${counter++}.jsonl`);
  const inherited = options.env ?? process.env;
  const nodeOptions = [inherited['NODE_OPTIONS'] ?? '', `--require=${PROBE}`].join(' ').trim();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...inherited, NODE_OPTIONS: nodeOptions, [PROBE_ENV]: probeFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      let processes: ProbeRecord[] = [];
      try {
        processes = fs
          .readFileSync(probeFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as ProbeRecord);
        fs.rmSync(probeFile, { force: true });
      } catch {
        processes = [];
      }
      resolve({ wallMs, code, signal, stdout, stderr, processes });
    });
  });
}

/** Same as `measure`, but a non-zero exit is an error carrying the output. */
export async function measureOk(command: string, args: readonly string[], options: MeasureOptions): Promise<Measured> {
  const result = await measure(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(' ')} exited with ${String(result.code ?? result.signal)}:\n${result.stderr.slice(-2000)}`);
  }
  return result;
}

/** The probe record of the process that ran `script` (argv[1] of that node process). */
export function processOf(result: Measured, script: string): ProbeRecord | undefined {
  return result.processes.find((p) => p.argv[0] === script);
}
