/** Number formatting shared by the renderers: tracemalloc's size units, short counts. */

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

/** Estimated counts: one decimal below 10 when fractional, whole below 1000, then `2.1 K`, `101 K`, `3.4 M` (they are estimates). */
export function formatCount(count: number, sign = false): string {
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

/** `32768` → `32 KiB`, for headers. */
export function formatInterval(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
