/**
 * The alloctrace trace file format, version 1: the single source of truth for its shape.
 * Types only; `docs/trace-format.md` documents every field. A trace holds one isolate's
 * sampled allocations (a process's main thread, or one worker) at one moment.
 *
 * Coordinates: every `line` and `column` in this file is 1-based (as editors and Node stack
 * traces show them). V8's 0-based positions are converted once, on import.
 */

export const TRACE_FORMAT = 'alloctrace-trace';
export const TRACE_VERSION = 1;

export type TraceMode = 'live' | 'allocated';

/** Why the trace was taken. */
export type TraceReason = 'exit' | 'signal' | 'interval' | 'api' | 'import' | 'peak' | 'heap-limit';

/** V8 heap sizes around a `peak` or `heap-limit` trace, in bytes (live: measured right after a full GC). */
export interface HeapMoment {
  /** Live V8 heap when this trace was taken. */
  used: number;
  /** V8's `heap_size_limit`. */
  limit: number;
  /** Live V8 heap when the program ended, and when; `null` where it did not end normally. */
  endUsed: number | null;
  endTime: string | null;
}

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  /** Tool and version that wrote the file, e.g. `alloctrace/0.1.0`. */
  producer: string;
  meta: TraceMeta;
  scripts: ScriptRecord[];
  frames: FrameRecord[];
  /**
   * Call-stack trie in columns: stack `i` is frame `frame[i]` called from stack `parent[i]`
   * (`-1`: outermost). A parent always has a smaller index than its children.
   */
  stacks: {
    frame: number[];
    parent: number[];
    /**
     * Optional column (absent in traces whose lines were never resolved): for stack `i`, the line
     * in `frame[parent[i]]` that called `frame[i]`, proven from the caller's code; `null` when
     * not proven (see `LineRecord`).
     */
    call?: Array<LineRecord | null>;
  };
  /**
   * Only in a trace merged from several isolates (worker threads, child processes): one entry
   * per isolate; `samples.thread` indexes it. Absent: every sample is `meta`'s isolate.
   */
  threads?: ThreadRecord[];
  /**
   * Only in an object trace (`meta.objects`): the kinds of objects, as heapy names them
   * (constructor name, `string`, `closure`, `(code)`, `(system)`…); `samples.kind` indexes it.
   */
  kinds?: KindRecord[];
  /** One entry per sample, in columns of equal length. */
  samples: {
    /** Innermost stack of the sampled allocation. */
    stack: number[];
    /**
     * Estimated bytes this sample stands for: object size × `count`. Unbiased (not V8's
     * rounded scaling); see docs/trace-format.md.
     */
    size: number[];
    /** Estimated number of allocations this sample stands for (>= 1, fractional). */
    count: number[];
    /** V8's allocation ordinal: larger is later. */
    ordinal: number[];
    /** Index into `threads` of the isolate the sample comes from (present with `threads`). */
    thread?: number[];
    /** Index into `kinds` of the objects the sample stands for (present with `kinds`). */
    kind?: number[];
  };
}

/** A kind of object in an object trace. */
export interface KindRecord {
  /** `Order`, `Array`, `Map`, `string`, `closure`, `(code)`, `(system)`, `Uint8Array (external)`… */
  name: string;
  /** `true` for memory outside the V8 heap: the backing stores of ArrayBuffers, typed arrays and Buffers. */
  external?: boolean;
  /**
   * Objects made by a constructor of the program's own code: where that function starts
   * (generated, 1-based), as V8 located it. Kinds of one name made by different constructors
   * (two minified classes both called `t`) are separate records.
   */
  at?: { url: string; line: number; column: number };
  /** The constructor's name in the original source (a minified class's real name), when found. */
  original?: string;
}

/**
 * Where an object trace's samples come from: `tracked`, a heap snapshot of a program run with
 * `--track-heap-objects` (each object at its allocating stack); `census`, a snapshot without
 * tracking (objects have no stack).
 */
export type ObjectSource = 'tracked' | 'census';

/** One isolate of a merged trace: a process's main thread or one of its workers. */
export interface ThreadRecord {
  pid: number | null;
  /** `threadId`: 0 for the main thread. */
  id: number;
  /** `main`, the worker's `name` option, or `worker <id>`. */
  name: string;
  /** The process's command line (script and arguments). */
  argv: string[];
}

export interface TraceMeta {
  /** `process.version` of the traced process, e.g. `v20.20.2`; `null` when imported. */
  nodeVersion: string | null;
  v8Version: string | null;
  platform: string | null;
  pid: number | null;
  /** The traced program's command line: script and its arguments (not node's flags). */
  argv: string[];
  execArgv: string[];
  /** Working directory of the traced process (absolute). */
  cwd: string | null;
  /**
   * Project root (absolute): the nearest folder with a package.json above the script, else cwd.
   * Every `path`/`source` below is relative to it, with `/` separators.
   */
  root: string | null;
  /** Mean sampling interval in bytes; `null` when unknown (imported profile without one). */
  interval: number | null;
  /** `live`: samples of collected objects were dropped; `allocated`: all kept. `null`: unknown. */
  mode: TraceMode | null;
  /** ISO time sampling started, and time this trace was taken. */
  startTime: string | null;
  time: string | null;
  reason: TraceReason;
  /** Position in a series of snapshots of one process (0-based). */
  sequence: number;
  /** Isolate the samples come from: 0 and `main` for the main thread. */
  thread: { id: number; name: string };
  /** Sampler flags that change the numbers (e.g. inlining disabled). */
  flags: string[];
  /** Facts a reader should be told, in one line each (e.g. "program ended by SIGTERM"). */
  notes: string[];
  /** Heap sizes for `peak` and `heap-limit` traces. */
  heap?: HeapMoment;
  /**
   * Present in an object trace: its samples are a heap snapshot's live objects, one per stack and
   * kind, with exact sizes and counts (not estimates); `interval` is then `null`.
   */
  objects?: ObjectSource;
}

/** How a script's source map was found. */
export type MapStatus =
  | 'none' // the script names no source map
  | 'external' // sourceMappingURL pointing at a file
  | 'inline' // data: URL
  | 'memory' // taken from the running process (loaders such as tsx)
  | 'error' // named, but missing or broken: see `mapError`
  | 'unresolved'; // not symbolized (yet), or source maps were turned off

export interface ScriptRecord {
  /** The script's URL as V8 reported it: an absolute path (CommonJS), `file://` URL (ESM), `node:…`. */
  url: string;
  /** File path relative to the project root, or `null` when the URL is not a local file. */
  path: string | null;
  map: MapStatus;
  /** One-line reason when `map` is `error`. */
  mapError?: string;
  /**
   * Source map taken from the traced process's memory (a loader such as tsx transpiled the file
   * in memory, so no map exists on disk), as parsed JSON without `sourcesContent`.
   */
  memoryMap?: unknown;
  /**
   * Eval'd code that named itself with `//# sourceURL` (webpack's eval builds): V8's script id.
   * `url` is then that sourceURL (not a file whose code can be read), `path` is `null`.
   */
  evalOf?: number;
  /**
   * The code V8 ran, where it is not the file on disk (a loader transpiled it in memory, or eval'd
   * code): read instead of the file to resolve lines.
   */
  memoryCode?: string;
  /**
   * Whether the script's code was read to resolve lines (`stacks.call`, frames' `self`):
   * `parsed`; `unreadable` (not a local file, or gone); `unparsable` (see `codeError`);
   * `skipped` (over the parse budget: the scripts that account for the least memory).
   * Absent: lines not resolved yet.
   */
  code?: CodeStatus;
  codeError?: string;
  /**
   * `--exact-lines` rewrote this script as it ran: `wrapped` while frame positions are in the
   * rewritten code, `read` once they were read back to the file's own (and wrapper frames marked).
   */
  exactLines?: 'wrapped' | 'read';
}

export type CodeStatus = 'parsed' | 'unreadable' | 'unparsable' | 'skipped';

/** A position in a script: generated (1-based), and original when a source map resolved it. */
export interface CodePoint {
  line: number;
  column: number;
  original?: OriginalPosition;
}

/**
 * A line inside a function, proven from its code: the one line (`exact`), or the few lines one
 * of which it was (`candidates`, one point per line, in line order). Unproven is no record.
 */
export type LineRecord =
  | {
      exact: CodePoint;
      /**
       * Frame index of the function whose code holds the line, when it is not the frame's own:
       * V8 charged the frame with a call made by a function inlined into it.
       */
      in?: number;
    }
  | { candidates: CodePoint[] };

/**
 * One stack frame. V8 keys frames by function: `line`/`column` are where the function starts
 * (its parameter list), not the executing statement.
 */
export type FrameRecord = ScriptFrameRecord | BuiltinFrameRecord | PseudoFrameRecord | CollectedFrameRecord;

export interface ScriptFrameRecord {
  kind: 'script';
  /** Function name as V8 gave it ('' for anonymous). */
  name: string;
  /** Index into `scripts`. */
  script: number;
  /** Generated position of the function start, 1-based; line 1 column 0 never occurs. */
  line: number;
  column: number;
  /** `true` for the module's top-level code (CommonJS wrapper or ES module body). */
  topLevel?: boolean;
  /** Original position of the function start, when a source map resolved it. */
  original?: OriginalPosition;
  /**
   * Where this function allocates in its own frame (not through a callee), proven from its code;
   * absent when not proven or not resolved.
   */
  self?: LineRecord;
  /**
   * `--exact-lines`: this frame is the function alloctrace wrapped around one expression; it
   * stands for its enclosing function (whose fields it copies) at that expression, whose
   * generated 1-based position this is.
   */
  wrapper?: { line: number; column: number };
}

/** A V8 builtin (`repeat`, `JSON.parse`, `Map.prototype.set`…): no script. */
export interface BuiltinFrameRecord {
  kind: 'builtin';
  name: string;
}

/** `(root)`, `(program)`, `(GC)`, `(V8 API)`, `(idle)`. */
export interface PseudoFrameRecord {
  kind: 'pseudo';
  name: string;
}

/** A script frame whose script V8 collected before the profile was read: no position left. */
export interface CollectedFrameRecord {
  kind: 'collected';
  name: string;
  scriptId: number;
  /**
   * `true` when the script was compiled before any of the program's own files (a smaller script
   * id): Node's bootstrap, e.g. `node:internal/main/run_main_module`, which ends once it has
   * started the program. Reported as a Node internal.
   */
  bootstrap?: boolean;
}

export interface OriginalPosition {
  /** Original source path, relative to the project root (`/` separators), or as the map names it. */
  source: string;
  line: number;
  column: number;
  /** Original name from the map's `names` (minified code), else `null`. */
  name: string | null;
}
