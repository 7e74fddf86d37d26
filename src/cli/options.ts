/** Validation of option values: each returns the parsed value or throws a one-line usage error. */
import { AlloctraceError } from '../errors';
import { GROUP_BYS, type GroupBy } from '../analyze/group-by';
import type { TraceMode } from '../trace/format';

function usage(message: string): AlloctraceError {
  return new AlloctraceError('ERR_USAGE', message);
}

const SIZE_SUFFIX: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `32768`, `32k`, `32KiB`, `1m` → bytes (binary units). */
export function parseByteSize(value: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const factor = match === null ? undefined : SIZE_SUFFIX[(match[2] ?? '').toLowerCase()];
  if (match === null || factor === undefined) throw usage(`${name} must be a size such as 32768, 32k or 1m (got '${value}')`);
  const bytes = Math.round(Number(match[1]) * factor);
  if (bytes < 1 || bytes > 2 ** 31 - 1) throw usage(`${name} must be between 1 byte and 2 GiB - 1 byte (2147483647) (got '${value}')`);
  return bytes;
}

export function parsePositiveInt(value: string, name: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1) throw usage(`${name} must be a whole number of 1 or more (got '${value}')`);
  return Number(value);
}

/** `--top 0` or `--top all` shows every row. */
export function parseTop(value: string): number | null {
  if (value === 'all' || value.trim() === '0') return null;
  return parsePositiveInt(value, '--top');
}

export function parseGroupBy(value: string): GroupBy | 'type' {
  if ((GROUP_BYS as readonly string[]).includes(value) || value === 'type') return value as GroupBy | 'type';
  throw usage(`--group-by must be one of ${[...GROUP_BYS, 'type'].join(', ')} (got '${value}')`);
}

export function parseMode(value: string): TraceMode | 'peak' {
  if (value === 'live' || value === 'allocated' || value === 'peak') return value;
  throw usage(`--mode must be live, allocated or peak (got '${value}')`);
}

/** `--pid`: a process id. */
export function parsePid(value: string): number {
  return parsePositiveInt(value, '--pid');
}

/** `--thread`: a thread id (0 is the main thread), `main`, or a worker's name. */
export function parseThread(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw usage("--thread must be a thread id, 'main' or a worker's name (got '')");
  return trimmed;
}
