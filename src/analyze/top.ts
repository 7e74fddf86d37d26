/** Cutting a sorted statistics list to its first rows, keeping count of what was left out. */
import type { StatisticRow } from './statistics';

export interface Omitted {
  rows: number;
  size: number;
  count: number;
}

export function takeTop<T extends Pick<StatisticRow, 'size' | 'count'>>(stats: readonly T[], top: number | null): { shown: T[]; omitted: Omitted } {
  const shown = top === null ? [...stats] : stats.slice(0, top);
  const omitted: Omitted = { rows: 0, size: 0, count: 0 };
  for (let i = shown.length; i < stats.length; i++) {
    const s = stats[i]!;
    omitted.rows += 1;
    omitted.size += s.size;
    omitted.count += s.count;
  }
  return { shown, omitted };
}
