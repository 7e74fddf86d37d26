/**
 * What the CLI tells the preload, through one environment variable (removed from the traced
 * program's environment as soon as it is read).
 */
import type { TraceMode } from '../trace/format';

export const CONFIG_ENV = 'ALLOCTRACE_CAPTURE';

export interface CaptureConfig {
  /** File the final trace is written to when the program ends. */
  output: string;
  interval: number;
  mode: TraceMode;
  /** Project root, for relative paths. */
  root: string;
  /** The traced program's argv (script and arguments), as the user gave it. */
  argv: string[];
  producer: string;
  /** Trace Node child processes too: the preload passes itself on (see children.ts). */
  children?: boolean;
  /** `--exact-lines`: run user code with its allocating expressions wrapped (src/lines/wrap.ts). */
  exactLines?: boolean;
  /** `--allocation-folding`: keep V8's allocation folding; absent: turned off (allocation-folding.ts). */
  allocationFolding?: boolean;
  /** Pid of the `alloctrace run` that started this process: it dies with it (orphan.ts). Not passed to children. */
  parentPid?: number;
  /** Snapshots while the program runs (`--snapshot-*`); absent: none, and no signal handler. */
  snapshots?: SnapshotConfig;
  /** `--mode peak`: the trace is taken at the high-water mark of live heap (sampling is `live`). */
  peak?: boolean;
  /** `--types` (`tracked`, node runs with --track-heap-objects) or `--census`: a heap snapshot beside each trace (objects.ts). */
  objects?: 'tracked' | 'census';
  /** `alloctrace run`'s own process only: its control folder and pid (see control.ts). */
  control?: { dir: string; cliPid: number };
}

export interface SnapshotConfig {
  /** Absolute folder for `snapshot-NNNN.trace` files. */
  dir: string;
  /** Period in ms, or `null` for none. */
  everyMs: number | null;
  /** Signal that takes a snapshot, or `null` for none. */
  signal: string | null;
}

/**
 * In `output`, replaced by the process id (child processes name their own traces). When the
 * name is taken (a reused pid), `-1`, `-2`… is appended.
 */
export const PID_TOKEN = '{pid}';

export function parseCaptureConfig(text: string | undefined): CaptureConfig | null {
  if (text === undefined || text === '') return null;
  try {
    const value = JSON.parse(text) as Partial<CaptureConfig>;
    if (typeof value.output !== 'string' || typeof value.interval !== 'number') return null;
    if (value.mode !== 'live' && value.mode !== 'allocated') return null;
    return value as CaptureConfig;
  } catch {
    return null;
  }
}
