/**
 * `--group-by type`: heapy's partition table, and what changed per kind between two traces, in
 * text and JSON. Pure.
 */
import type { TypeCompareView, TypesReportView } from '../analyze/kinds';
import { escapeControl } from './escape';
import { describeMeasure, describeObjects, formatShare } from './text';
import { formatSize } from '../units';

function pad(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

function notesBlock(notes: readonly string[]): string[] {
  return notes.length === 0 ? [] : ['', ...notes.map((n) => `Note: ${escapeControl(n)}`)];
}

/**
 * ```
 * Partition of a set of 25795 objects. Total size = 3.2 MiB (live objects at exit; …)
 *  Index  Count   %      Size   % Cumulative   % Kind
 *      0   1000  4%  40.0 KiB 12%   40.0 KiB  12% Order
 * ```
 */
export function renderTypesText(view: TypesReportView): string {
  const { total, rows } = view;
  const how = view.objects === null || view.objects === undefined ? 'no object data' : describeObjects(view.objects);
  const outside = total.external > 0 ? `; ${formatSize(total.heap)} in the V8 heap, ${formatSize(total.external)} outside it` : '';
  const lines = [`Partition of a set of ${total.count} objects. Total size = ${formatSize(total.size)} (${describeMeasure(view.measure)}; ${how}${outside})`];
  const header = [pad('Index', 6), pad('Count', 8), pad('%', 4), pad('Size', 10), pad('%', 4), pad('Cumulative', 11), pad('%', 4), ' Kind'];
  lines.push(header.join(' '));
  for (const r of rows) {
    lines.push(
      [pad(String(r.index), 6), pad(String(r.count), 8), pad(formatShare(r.countShare), 4), pad(formatSize(r.size), 10), pad(formatShare(r.sizeShare), 4), pad(formatSize(r.cumulative), 11), pad(formatShare(r.cumulativeShare), 4), ` ${escapeControl(r.kind)}`].join(' '),
    );
  }
  if (rows.length === 0) lines.push('(no objects)');
  if (view.omitted.rows > 0) lines.push(`<${view.omitted.rows} more kinds: size=${formatSize(view.omitted.size)}, count=${view.omitted.count}>`);
  lines.push(...notesBlock(view.notes));
  return `${lines.join('\n')}\n`;
}

export function renderTypesJson(view: TypesReportView): string {
  const out = {
    schema: 'alloctrace-types',
    version: 1,
    measure: view.measure,
    objects: view.objects,
    total: view.total,
    rows: view.rows,
    omitted: view.omitted,
    notes: view.notes,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function signedCount(n: number): string {
  return n >= 0 ? `+${n}` : String(n);
}

export function renderTypeCompareText(view: TypeCompareView): string {
  const { total, rows } = view;
  const lines = [
    `Kinds by difference, ${escapeControl(view.older.name)} → ${escapeControl(view.newer.name)} (${formatSize(total.older)} → ${formatSize(total.newer)}: ${formatSize(total.sizeDiff, true)}, ${signedCount(total.countDiff)} objects)`,
  ];
  lines.push([pad('Size', 10), pad('Diff', 11), pad('Count', 8), pad('Diff', 9), ' Kind'].join(' '));
  for (const r of rows) {
    lines.push([pad(formatSize(r.newer.size), 10), pad(formatSize(r.sizeDiff, true), 11), pad(String(r.newer.count), 8), pad(signedCount(r.countDiff), 9), ` ${escapeControl(r.kind)}`].join(' '));
  }
  if (rows.length === 0) lines.push('(no objects in either trace)');
  if (view.omitted.rows > 0) lines.push(`<${view.omitted.rows} more kinds: ${formatSize(view.omitted.sizeDiff, true)}>`);
  lines.push(...notesBlock(view.notes));
  return `${lines.join('\n')}\n`;
}

export function renderTypeCompareJson(view: TypeCompareView): string {
  const out = { schema: 'alloctrace-type-compare', version: 1, older: view.older, newer: view.newer, total: view.total, rows: view.rows, omitted: view.omitted, notes: view.notes };
  return `${JSON.stringify(out, null, 2)}\n`;
}
