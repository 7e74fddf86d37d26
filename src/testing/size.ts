/** Sizes as the test helpers take them: a number of bytes, or text such as `'64 KiB'` or `'1.5 MB'`. */
import { AlloctraceError } from '../errors';

/** Binary units, as the reports print them (`KB` and `KiB` both mean 1024 bytes). */
const UNIT: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

export type Size = number | string;

/** Bytes in `value`; a `TypeError`-like usage error names `what` when it is not a size. */
export function parseSize(value: Size, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match === null ? undefined : UNIT[(match[2] ?? '').toLowerCase()];
    if (match !== null && unit !== undefined) return Math.round(Number(match[1]) * unit);
  }
  throw new AlloctraceError('ERR_USAGE', `${what} must be a number of bytes or a size such as '64 KiB' or '24 MiB' (got ${JSON.stringify(value) ?? String(value)})`);
}
