/**
 * The CLI: commander wiring only. Commands live in their own modules; `createProgram` takes its
 * I/O as arguments so tests can run the CLI in-process.
 */
import { Command, CommanderError, Option } from 'commander';
import { AlloctraceError, isAlloctraceError } from '../errors';
import { escapeControl } from '../report/escape';
import { VERSION } from '../version';
import type { CliIo, Outcome } from './io';
import type { ReportOptions } from '../pipeline/report';
import type { SnapshotOptions } from './snapshot-dir';
import { parseByteSize, parseGroupBy, parseMode, parsePid, parseThread, parseTop } from './options';
import { parseDuration, parseFilter, parseSnapshotSignal } from './leak-options';
import { checkSiteOptions } from '../analyze/group-by';

/** Export formats (here, not from ./export: each command's module is loaded only when it runs). */
export const EXPORT_FORMATS = ['heapprofile', 'pprof'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

// Each command's code is loaded when that command runs: `run` starts the program before it
// loads any of the report code (docs/decisions.md, "Start-up").
const commandModules = {
  run: () => require('./run') as typeof import('./run'),
  show: () => require('./show') as typeof import('./show'),
  export: () => require('./export') as typeof import('./export'),
  compare: () => require('./compare') as typeof import('./compare'),
};

const COMMANDS = new Set(['run', 'show', 'export', 'compare', 'help']);

/** `alloctrace [opts] script` means `alloctrace run [opts] script`. */
export function withDefaultCommand(args: readonly string[]): string[] {
  const first = args[0];
  if (first === undefined || COMMANDS.has(first) || ['-h', '--help', '-V', '--version'].includes(first)) return [...args];
  return ['run', ...args];
}

interface CommonFlags {
  top: string;
  groupBy: string;
  json?: boolean;
  userCode?: boolean;
  sourceMaps: boolean;
  include: string[];
  exclude: string[];
  allFrames?: boolean;
  hideInternals?: boolean;
  cumulative?: boolean;
  html?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function reportOptions(flags: CommonFlags): ReportOptions {
  const allFrames = flags.allFrames === true;
  const options: ReportOptions = {
    top: parseTop(flags.top),
    groupBy: parseGroupBy(flags.groupBy),
    json: flags.json === true,
    userCode: flags.userCode === true,
    sourceMaps: flags.sourceMaps,
    filters: [...flags.include.map((f) => parseFilter(f, true, allFrames)), ...flags.exclude.map((f) => parseFilter(f, false, allFrames))],
    hideInternals: flags.hideInternals === true,
    cumulative: flags.cumulative === true,
    html: flags.html ?? null,
  };
  if (options.json && options.html !== null) throw new AlloctraceError('ERR_USAGE', '--json and --html cannot be combined: pick one');
  // Before anything runs: `run` would otherwise fail only after the program ended.
  if (options.groupBy === 'type' && options.cumulative === true) throw new AlloctraceError('ERR_USAGE', '--cumulative does not apply to --group-by type (kinds do not nest)');
  checkSiteOptions({ groupBy: options.groupBy === 'type' ? 'lineno' : options.groupBy, cumulative: options.cumulative === true });
  return options;
}

interface RunFlags {
  inlining: boolean;
  allocationFolding?: boolean;
  exactLines?: boolean;
  interval: string;
  mode: string;
  output?: string;
  force?: boolean;
  node?: string;
  children?: boolean;
  loader?: string;
  snapshotDir?: string;
  snapshotEvery?: string;
  snapshotSignal?: string;
  types?: boolean;
  census?: boolean;
}

interface IsolateFlags {
  pid?: string;
  thread?: string;
}

function isolateOptions(flags: IsolateFlags): { pid: number | null; thread: string | null } {
  return { pid: flags.pid === undefined ? null : parsePid(flags.pid), thread: flags.thread === undefined ? null : parseThread(flags.thread) };
}

function addIsolateOptions(command: Command): Command {
  return command
    .option('--thread <id|name>', "report one thread only: its id, 'main', or a worker's name (default: all together)")
    .option('--pid <pid>', 'report one process only (of several traced with --children, or several files)');
}

function addReportOptions(command: Command): Command {
  return command
    .option('--top <n>', 'rows to show (0 or "all" for every row)', '10')
    .option('--group-by <key>', 'lineno, filename, function, traceback, or type (kinds of objects: traces of --types or --census)', 'lineno')
    .option('--user-code', 'charge memory to the innermost frame of your own code (not node internals or node_modules)')
    .option('--json', 'print the report as JSON (schema in docs/cli.md)')
    .option('--html <file>', 'write the report as one self-contained HTML page (flame graph, call graph, table) instead')
    .option('--no-source-maps', 'show generated positions, do not read source maps')
    .option('--include <glob[:line]>', 'keep only samples charged to matching files (repeatable; any --include may match)', collect, [])
    .option('--exclude <glob[:line]>', 'drop samples charged to matching files (repeatable)', collect, [])
    .option('--all-frames', '--include/--exclude match any frame of the stack, not only the frame charged')
    .option('--hide-internals', 'hide memory charged to Node internals (node:…) and builtins')
    .option('--cumulative', 'count each sample toward every frame of its stack (callers include their callees)');
}

export function createProgram(io: CliIo, done: (outcome: Outcome) => void): Command {
  const program = new Command('alloctrace')
    .description('Which lines of your Node.js / TypeScript code hold memory (V8 sampling heap profiler + source maps).')
    .usage('[run] [options] <script> [script args...]\n       alloctrace <command> [options] <trace>')
    .version(VERSION)
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr, outputError: () => undefined });

  addIsolateOptions(
    addReportOptions(
      program
        .command('run', { isDefault: false })
        .description('run a script under the sampler and report its top allocation sites (default command)')
        .argument('<script>', 'the JavaScript or TypeScript entry point to run (with --children: any command)')
        .argument('[args...]', "the script's own arguments")
        .passThroughOptions()
        .option('--interval <bytes>', 'mean bytes between samples (e.g. 32k, 512k, 1m)', '32k')
        .addOption(new Option('--mode <mode>', 'live: memory still held at the end; allocated: everything allocated; peak: memory held at the high-water mark of the heap').default('live'))
        .option('-o, --output <file>', 'also save the trace to this file (an existing folder: one file per thread and process)')
        .option('--force', 'replace an existing output file')
        .option('--node <path>', 'node binary that runs the script (default: the one running alloctrace)')
        .option('--children', 'also trace every Node child process the program starts (spawn, fork, exec, npm run, npx); the script may then be any command')
        .option('--loader <module>', 'loader for a .ts entry (default: tsx from your project)')
        .option('--snapshot-dir <dir>', 'write numbered traces of the running program here (snapshot-0001.trace, …)')
        .option('--snapshot-every <duration>', 'write a snapshot every period (500ms, 30s, 2m); needs --snapshot-dir')
        .option('--snapshot-signal <signal>', 'signal that writes a snapshot (default SIGUSR2 with --snapshot-dir), or none')
        .option('--no-inlining', "turn V8's inlining off: each function keeps its own allocations (slower)")
        .option('--allocation-folding', "keep V8's allocation folding on (off by default: V8 samples a folded group as one object, over-estimating)")
        .option('--exact-lines', 'exact line for direct allocations: run your code with each allocating expression in its own function (slower; implies --no-inlining)')
        .option('--types', 'objects by kind at the lines that allocated them: a heap snapshot of a run with --track-heap-objects (slower, bigger; --group-by type for the kinds table)')
        .option('--census', 'objects by kind only: one heap snapshot, no allocation tracking (cheap; implies --group-by type unless given)'),
    ),
  )
    .exitOverride()
    .action(async (script: string, args: string[], flags: CommonFlags & IsolateFlags & RunFlags, command: Command) => {
      const objects = objectsOption(flags);
      // A census has no stacks: its report is the kinds table unless a grouping was asked for.
      if (objects === 'census' && command.getOptionValueSource('groupBy') === 'default') flags.groupBy = 'type';
      const options = {
        ...reportOptions(flags),
        objects,
        ...isolateOptions(flags),
        children: flags.children === true,
        loader: flags.loader ?? null,
        interval: parseByteSize(flags.interval, '--interval'),
        mode: parseMode(flags.mode),
        output: flags.output ?? null,
        force: flags.force === true,
        node: flags.node ?? null,
        inlining: flags.inlining,
        allocationFolding: flags.allocationFolding === true,
        exactLines: flags.exactLines === true,
        snapshots: snapshotOptions(flags),
      };
      done(await commandModules.run().runCommand(script, args, options, io));
    });

  addIsolateOptions(
    addReportOptions(
      program
        .command('show')
        .description('report saved traces (merged), or .heapprofile files from node --heap-prof or Chrome DevTools')
        .argument('<traces...>', 'trace files or folders of traces (all merged into one report)')
        .option(...HEAPPROFILE_INTERVAL),
    ),
  )
    .exitOverride()
    .action((files: string[], flags: ReadingFlags) => {
      done(commandModules.show().showCommand(files, readingOptions(flags), io));
    });

  program
    .command('export')
    .description('write a trace as a .heapprofile (Chrome DevTools Memory panel, speedscope) or as pprof (go tool pprof, Pyroscope, Grafana, Parca), original positions included')
    .argument('<trace>', 'trace file')
    .requiredOption('-o, --output <file>', 'the file to write')
    .addOption(new Option('--format <format>', 'heapprofile or pprof (default: pprof for .pb.gz/.pb/.pprof, else heapprofile)').choices(EXPORT_FORMATS))
    .option('--force', 'replace an existing output file')
    .option('--no-source-maps', 'keep generated positions')
    .exitOverride()
    .action((file: string, flags: { output: string; force?: boolean; sourceMaps: boolean; format?: ExportFormat }) => {
      done(commandModules.export().exportCommand(file, { output: flags.output, force: flags.force === true, sourceMaps: flags.sourceMaps, format: flags.format ?? null }, io));
    });

  addIsolateOptions(
    addReportOptions(
      program
        .command('compare')
        .description('compare traces: two → what changed per site; three or more (in order) → growth and suspected leaks')
        .argument('<traces...>', 'trace files, oldest first; a folder is one trace (its files merged), or, given alone, a series of its files in name order')
        .option(...HEAPPROFILE_INTERVAL),
    ),
  )
    .exitOverride()
    .action((files: string[], flags: ReadingFlags) => {
      done(commandModules.compare().compareCommand(files, readingOptions(flags), io));
    });

  return program;
}

/** `show` and `compare` read saved traces and `.heapprofile`s, which do not record their interval. */
const HEAPPROFILE_INTERVAL = ['--interval <bytes>', 'sampling interval to assume for a .heapprofile (default 512k, as node --heap-prof)'] as const;

type ReadingFlags = CommonFlags & IsolateFlags & { interval?: string };

function readingOptions(flags: ReadingFlags): ReturnType<typeof reportOptions> & ReturnType<typeof isolateOptions> & { interval: number | null } {
  return {
    ...reportOptions(flags),
    ...isolateOptions(flags),
    interval: flags.interval === undefined ? null : parseByteSize(flags.interval, '--interval'),
  };
}

/** `--types` / `--census` → what the run records of objects, or `null`. */
function objectsOption(flags: RunFlags & CommonFlags): 'tracked' | 'census' | null {
  if (flags.types === true && flags.census === true) throw new AlloctraceError('ERR_USAGE', '--types and --census cannot be combined: --types records stacks, --census only kinds');
  const objects = flags.types === true ? 'tracked' : flags.census === true ? 'census' : null;
  if (objects !== null && flags.mode !== 'live') throw new AlloctraceError('ERR_USAGE', `--${flags.types === true ? 'types' : 'census'} shows the objects alive at exit or at a snapshot signal: not with --mode ${flags.mode}`);
  if (objects === null && flags.groupBy === 'type') throw new AlloctraceError('ERR_USAGE', '--group-by type needs --types or --census (a sampling run has no object kinds)');
  return objects;
}

/** `--snapshot-*` → the run's snapshot settings, or `null` when none was asked for. */
function snapshotOptions(flags: { snapshotDir?: string; snapshotEvery?: string; snapshotSignal?: string }): SnapshotOptions | null {
  const everyMs = flags.snapshotEvery === undefined ? null : parseDuration(flags.snapshotEvery, '--snapshot-every');
  const signal = flags.snapshotSignal === undefined ? undefined : parseSnapshotSignal(flags.snapshotSignal);
  if (flags.snapshotDir === undefined) {
    if (everyMs !== null || signal !== undefined) throw new AlloctraceError('ERR_USAGE', '--snapshot-every and --snapshot-signal need --snapshot-dir <dir>');
    return null;
  }
  return { dir: flags.snapshotDir, everyMs, signal: signal === undefined ? 'SIGUSR2' : signal };
}

/**
 * Runs the CLI on `args` (without node and script) and returns how it ended. User errors are
 * printed as one line with exit code 2; internal errors keep their stack (and are rethrown).
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<Outcome> {
  let outcome: Outcome = { exitCode: 0 };
  const program = createProgram(io, (o) => {
    outcome = o;
  });
  try {
    await program.parseAsync(withDefaultCommand(args), { from: 'user' });
    return outcome;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { exitCode: 0 };
      // Help already printed (e.g. no arguments at all): a usage error without another line.
      if (error.code === 'commander.help') return { exitCode: 2 };
      io.writeErr(`alloctrace: ${error.message.replace(/^error: /, '')}\n`);
      return { exitCode: 2 };
    }
    if (isAlloctraceError(error)) {
      // Messages name files and quote traces: one line, whatever those hold.
      io.writeErr(`alloctrace: ${escapeControl(error.message)}\n`);
      return { exitCode: error.exitCode };
    }
    throw error;
  }
}

export { AlloctraceError };
