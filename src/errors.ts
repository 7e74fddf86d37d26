/**
 * The one error family users see. Anything thrown as an `AlloctraceError` is the user's to fix
 * (a bad option, a missing script, a corrupt file) and is printed by the CLI as a single line;
 * any other error is an internal bug and keeps its stack.
 */

/** Stable codes: tests and scripts may rely on them. */
export type ErrorCode =
  | 'ERR_USAGE' // bad option value or missing argument
  | 'ERR_SCRIPT_NOT_FOUND' // the script to trace does not exist
  | 'ERR_TRACE_READ' // a trace file could not be read
  | 'ERR_TRACE_FORMAT' // a trace file is corrupt, truncated, empty or foreign
  | 'ERR_OUTPUT' // an output path cannot be written
  | 'ERR_NOT_TRACING'; // library API used in the wrong state

export class AlloctraceError extends Error {
  readonly code: ErrorCode;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlloctraceError';
    this.code = code;
    this.exitCode = 2;
  }
}

export function isAlloctraceError(value: unknown): value is AlloctraceError {
  return value instanceof AlloctraceError;
}

/** Short text of an unknown thrown value, for one-line messages (e.g. an `fs` error). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    if (code === 'ENOTDIR') return 'a path component is not a directory';
    return error.message.split('\n')[0] ?? String(error);
  }
  return String(error);
}
