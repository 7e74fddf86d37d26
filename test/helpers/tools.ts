/**
 * External tools some tests drive (`go tool pprof`, headless Chromium). Missing locally: the test
 * is skipped with a message naming the package to install. Missing in CI (`CI=true`, where
 * `.ci/run` installs them): the test fails, so a broken install never passes silently.
 */
import { spawnSync } from 'node:child_process';

export interface ToolCheck {
  /** The command to run, or `null` when the tool is missing. */
  command: string | null;
  /** Why the test cannot run, for the skip message. */
  missing: string;
}

function works(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): boolean {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, timeout: 60_000 });
  return result.status === 0;
}

/** Go's build cache must be writable; HOME may not be in CI. */
export const GO_ENV: NodeJS.ProcessEnv = { GOCACHE: process.env.GOCACHE ?? '/tmp/alloctrace-test-gocache', GOFLAGS: '', GOTOOLCHAIN: 'local' };

export function findGo(): ToolCheck {
  const ok = works('go', ['tool', 'pprof', '-h'], GO_ENV);
  return { command: ok ? 'go' : null, missing: '`go tool pprof` not found: install Debian\'s golang-go (`apt-get install -y golang-go`, as .ci/run does)' };
}

export function findChromium(): ToolCheck {
  const candidates = [process.env.ALLOCTRACE_TEST_CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'].filter((c): c is string => c !== undefined && c !== '');
  const found = candidates.find((c) => works(c, ['--version']));
  // playwright-core wants a path; `command -v` resolves a bare name.
  const resolved = found === undefined ? null : found.includes('/') ? found : spawnSync('sh', ['-c', `command -v ${found}`], { encoding: 'utf8' }).stdout.trim() || null;
  return { command: resolved, missing: 'headless Chromium not found: install Debian\'s chromium (`apt-get install -y chromium`, as .ci/run does), or set ALLOCTRACE_TEST_CHROMIUM' };
}

/**
 * The tool's command, or `null` after skipping the test with the reason; throws in CI.
 * `t` is node:test's test context.
 */
export function requireTool(t: { skip(message?: string): void }, check: ToolCheck): string | null {
  if (check.command !== null) return check.command;
  if (process.env.CI === 'true') throw new Error(`${check.missing} (CI=true: this test must run in CI)`);
  t.skip(check.missing);
  return null;
}
