/** Number formatting shared by the renderers and every stage that words a size: tracemalloc's size units, short counts. */

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

function signed(text: string, value: number, sign: boolean): string {
  return sign && value >= 0 ? `+${text}` : text;
}

/**
 * Bytes as tracemalloc prints them (`_format_size`): 3 significant digits from KiB up,
 * `12.3 MiB`, `456 KiB`, `789 B`; with `sign`, a leading `+` or `-`.
 */
export function formatSize(bytes: number, sign = false): string {
  let size = bytes;
  for (const unit of SIZE_UNITS) {
    if (Math.abs(size) < 100 && unit !== 'B') return signed(`${size.toFixed(1)} ${unit}`, size, sign);
    if (Math.abs(size) < 10 * 1024 || unit === 'TiB') return signed(`${Math.round(size).toFixed(0)} ${unit}`, size, sign);
    size /= 1024;
  }
  /* c8 ignore next */
  return `${bytes} B`;
}

/** Exact numbers (samples): one decimal below 10 when fractional, whole below 1000, then `2.1 K`, `101 K`, `3.4 M`. */
export function formatNumber(count: number, sign = false): string {
  const abs = Math.abs(count);
  const scaled = (value: number, unit: string): string => `${value < 10 ? value.toFixed(1) : Math.round(value).toFixed(0)} ${unit}`;
  let text: string;
  if (abs < 10 && Math.abs(abs - Math.round(abs)) >= 0.05) text = abs.toFixed(1);
  else if (abs < 1000) text = Math.round(abs).toFixed(0);
  else if (abs < 1e6) text = scaled(abs / 1e3, 'K');
  else if (abs < 1e9) text = scaled(abs / 1e6, 'M');
  else text = scaled(abs / 1e9, 'G');
  if (count < 0) return `-${text}`;
  return sign ? `+${text}` : text;
}

/**
 * Estimated allocation counts, with the one significant digit they have: `~900`, `~2 K`, `~1`.
 * V8 reports a sample's size times its count, not either alone; where objects are smaller than
 * the sampling interval, one product fits several object sizes, and the count is an estimate
 * within a factor of about 3 (the quick-start leak read 889 to 2.5 K over 6 runs, its size within
 * 3 %). See docs/trace-format.md.
 */
export function formatCount(count: number, sign = false): string {
  const abs = Math.abs(count);
  if (abs === 0) return '0';
  const prefix = count < 0 ? '~-' : sign ? '~+' : '~';
  if (abs < 1.5) return `${prefix}1`;
  const units: Array<[number, string]> = [[1e9, ' G'], [1e6, ' M'], [1e3, ' K'], [1, '']];
  const digits = Math.floor(Math.log10(abs));
  const rounded = Math.round(abs / 10 ** digits) * 10 ** digits;
  for (const [scale, unit] of units) if (rounded >= scale) return `${prefix}${rounded / scale}${unit}`;
  /* c8 ignore next */
  return `${prefix}${rounded}`;
}

/** `32768` → `32 KiB`, for headers. */
export function formatInterval(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
