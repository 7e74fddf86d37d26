/** Runs the real CLI (bin/alloctrace.js) in a child process. */
import { spawn } from 'node:child_process';
import { withDefaultCommand } from '../../src/cli/program';
import { CLI } from './fixtures';
import { resolveNode, TEST_NODE_ENV } from './nodes';

/**
 * With ALLOCTRACE_TEST_NODE set, `run` gets `--node <it>` (unless the test picks a node itself),
 * so the whole e2e suite traces programs on that Node while the CLI runs on this one.
 */
export function withProgramNode(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const node = env[TEST_NODE_ENV];
  if (node === undefined || node === '' || args.some((a) => a === '--node' || a.startsWith('--node='))) return [...args];
  // The CLI's own rule for the implied `run`, so a new command never gets `--node`.
  const full = withDefaultCommand(args);
  return full[0] === 'run' ? ['run', '--node', resolveNode(node), ...full.slice(1)] : [...args];
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Runs before stdin closes: e.g. to send a signal. */
  onSpawn?: (pid: number) => void;
  timeoutMs?: number;
}

export function runAlloctrace(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...withProgramNode(args)], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    // The CLI may end before reading its input (a one-line usage error): EPIPE is not the test's concern.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
