/** `alloctrace export`: write a trace as a `.heapprofile` (Chrome DevTools, speedscope) or pprof. */
import * as path from 'node:path';
import { AlloctraceError, describeError } from '../errors';
import { traceToHeapProfile } from '../report/heapprofile';
import { traceToPprof } from '../report/pprof';
import { readTraceFile } from '../trace/read';
import { writeFileAtomic } from '../trace/write';
import { PRODUCER } from '../version';
import type { CliIo, Outcome } from './io';
import { resolveTrace } from '../pipeline/resolve';
import { checkOutputPath } from './output';
import { formatWarnings } from './present';

export type { ExportFormat } from './program';
import type { ExportFormat } from './program';

export interface ExportCommandOptions {
  output: string;
  force: boolean;
  sourceMaps: boolean;
  /** `null`: from the output's name (`.pb.gz`, `.pb`, `.pprof` → pprof), else heapprofile. */
  format: ExportFormat | null;
}

export function formatOfOutput(output: string): ExportFormat {
  return /\.(pb\.gz|pb|pprof)$/i.test(output) ? 'pprof' : 'heapprofile';
}

export function exportCommand(file: string, options: ExportCommandOptions, io: CliIo): Outcome {
  const trace = readTraceFile(path.resolve(io.cwd, file), { producer: PRODUCER });
  const output = path.resolve(io.cwd, options.output);
  checkOutputPath(output, options.force);
  const prepared = resolveTrace(trace, { sourceMaps: options.sourceMaps });
  io.writeErr(formatWarnings(prepared.diagnostics));
  const format = options.format ?? formatOfOutput(options.output);
  // pprof carries lines: it gets the lines the pipeline proves, not only function starts.
  const data = format === 'pprof' ? traceToPprof(prepared.trace) : JSON.stringify(traceToHeapProfile(prepared.trace, { generated: !options.sourceMaps }));
  const hint = format === 'pprof' ? 'read it with go tool pprof, or push it to Pyroscope, Grafana or Parca' : 'open it in Chrome DevTools → Memory → Load, or in speedscope';
  try {
    writeFileAtomic(output, data, { overwrite: options.force });
  } catch (error) {
    throw new AlloctraceError('ERR_OUTPUT', `cannot write ${options.output}: ${describeError(error)}`);
  }
  io.writeErr(`alloctrace: wrote ${options.output} (${hint})\n`);
  return { exitCode: 0 };
}
