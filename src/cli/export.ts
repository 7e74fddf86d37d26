/** `alloctrace export`: write a trace as a `.heapprofile` for Chrome DevTools or speedscope. */
import * as path from 'node:path';
import { AlloctraceError, describeError } from '../errors';
import { traceToHeapProfile } from '../report/heapprofile';
import { readTraceFile } from '../trace/read';
import { writeFileAtomic } from '../trace/write';
import { PRODUCER } from '../version';
import type { CliIo, Outcome } from './io';
import { resolveTrace } from './present';
import { checkOutputPath } from './run';

export interface ExportCommandOptions {
  output: string;
  force: boolean;
  sourceMaps: boolean;
}

export function exportCommand(file: string, options: ExportCommandOptions, io: CliIo): Outcome {
  const trace = readTraceFile(path.resolve(io.cwd, file), { producer: PRODUCER });
  const prepared = options.sourceMaps ? resolveTrace(trace) : { trace, warnings: [] };
  const output = path.resolve(io.cwd, options.output);
  checkOutputPath(output, options.force);
  const profile = traceToHeapProfile(prepared.trace, { generated: !options.sourceMaps });
  try {
    writeFileAtomic(output, JSON.stringify(profile), { overwrite: options.force });
  } catch (error) {
    throw new AlloctraceError('ERR_OUTPUT', `cannot write ${options.output}: ${describeError(error)}`);
  }
  io.writeErr(`alloctrace: wrote ${options.output} (open it in Chrome DevTools → Memory → Load, or in speedscope)\n`);
  return { exitCode: 0 };
}
