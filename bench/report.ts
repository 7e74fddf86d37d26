/** The one table the bench prints: a row per figure, with its target and whether it is met. */
import { table } from 'table';

export type Verdict = 'met' | 'missed' | 'info';

export interface Row {
  section: string;
  what: string;
  /** Median, with min–max in parentheses. */
  value: string;
  target: string;
  verdict: Verdict;
}

export function verdict(ok: boolean): Verdict {
  return ok ? 'met' : 'missed';
}

export function renderTable(rows: readonly Row[]): string {
  const data = [['section', 'what', 'median (min–max)', 'target', ''], ...rows.map((r) => [r.section, r.what, r.value, r.target, r.verdict === 'info' ? '' : r.verdict])];
  return table(data, {
    drawHorizontalLine: (index, size) => index === 0 || index === 1 || index === size || (index < size && rows[index - 1]?.section !== rows[index - 2]?.section),
  });
}
