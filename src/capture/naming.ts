/**
 * Names of trace files, so the isolates of a run never overwrite each other: a process's main
 * thread writes `<output>`, its workers `<output base>.worker-<threadId>.trace`. Child processes
 * get an output with `{pid}`, made unique with `-1`, `-2`… should a pid come round again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PID_TOKEN } from './config';

const EXTENSION = '.trace';

function baseOf(file: string): string {
  return file.endsWith(EXTENSION) ? file.slice(0, -EXTENSION.length) : file;
}

/** The process's own trace path: `template` with `{pid}` filled in and not yet used in its folder. */
export function resolveProcessOutput(template: string, pid: number): string {
  if (!template.includes(PID_TOKEN)) return template;
  const first = template.split(PID_TOKEN).join(String(pid));
  let taken: Set<string>;
  try {
    taken = new Set(fs.readdirSync(path.dirname(first)));
  } catch {
    return first;
  }
  const used = (file: string): boolean => {
    const name = path.basename(baseOf(file));
    for (const t of taken) if (t === `${name}${EXTENSION}` || t.startsWith(`${name}.`)) return true;
    return false;
  };
  let candidate = first;
  for (let n = 1; used(candidate); n++) candidate = template.split(PID_TOKEN).join(`${pid}-${n}`);
  return candidate;
}

/** Trace path of worker `threadId` of the process whose main thread writes `processOutput`. */
export function workerOutput(processOutput: string, threadId: number): string {
  return `${baseOf(processOutput)}.worker-${threadId}${EXTENSION}`;
}
