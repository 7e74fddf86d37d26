/** Running the real CLI (or plain node) and acting on its output while it runs: signals, Ctrl-C. */
import { spawn, spawnSync } from 'node:child_process';
import type { CliResult } from './cli';
import { CLI } from './fixtures';

export interface Started {
  pid: number;
  /** Resolves once `text` has appeared on stdout. */
  waitFor(text: string): Promise<void>;
  /** What it printed on stdout so far. */
  stdout(): string;
  done: Promise<CliResult>;
}

/** Starts `command args` with piped stdio; killed after `timeoutMs` so a hang fails the test. */
export function start(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of waiters.splice(0)) {
      if (stdout.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    pid: child.pid ?? 0,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        if (stdout.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void done.then(() => reject(new Error(`ended before printing ${text}: ${stderr}`)));
      }),
    stdout: () => stdout,
    done,
  };
}

export function startCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Started {
  return start(process.execPath, [CLI, ...args], options);
}

/** How plain `node file args` ends, for comparing with the same run under alloctrace. */
export function plainNode(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number | null; signal: NodeJS.Signals | null } {
  const result = spawnSync(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 60_000 });
  return { code: result.status, signal: result.signal };
}

/** Whether util-linux `script` is here to give a program a terminal. */
export function haveScript(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}
