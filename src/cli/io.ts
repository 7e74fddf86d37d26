/** What a command needs from the outside world, so the CLI can be run in-process by tests. */
export interface CliIo {
  writeOut: (text: string) => void;
  writeErr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** How a command ended: an exit code, or a signal the CLI must end by too. */
export type Outcome = { exitCode: number } | { signal: NodeJS.Signals };
