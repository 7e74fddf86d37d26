/**
 * What the test helpers measured in this process, for a table at the end of a run: the tests
 * that held the most memory, so a team can watch trends (`memorySummary()` in an `after` hook).
 */
import * as path from 'node:path';
import { formatSize } from '../units';

export interface MeasuredCall {
  /** `options.name`, else where the helper was called from (`test/store.test.ts:12`). */
  name: string;
  helper: 'limitLeaks' | 'limitMemory';
  /** Bytes leaked over the calls (limitLeaks) or held at return (limitMemory). */
  bytes: number;
  limit: number;
  passed: boolean;
}

const measured: MeasuredCall[] = [];

export function recordMeasurement(call: MeasuredCall): void {
  measured.push(call);
}

/** The first stack frame outside alloctrace: where a helper was called from. */
export function callerName(): string {
  const own = path.resolve(__dirname, '..') + path.sep;
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  for (const line of lines) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?\s*$/.exec(line);
    if (m === null || m[1] === undefined) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (file.startsWith(own) || file.startsWith('node:')) continue;
    return `${path.relative(process.cwd(), file) || file}:${m[2]}`;
  }
  return '(unknown caller)';
}

/** Every measurement so far in this process, in call order. */
export function measurements(): readonly MeasuredCall[] {
  return measured;
}

/** A table of the `top` measurements that held the most, largest first. */
export function memorySummary(options: { top?: number } = {}): string {
  const top = options.top ?? 10;
  const rows = [...measured].sort((a, b) => b.bytes - a.bytes).slice(0, top);
  if (rows.length === 0) return 'alloctrace/test: no limitLeaks or limitMemory call in this process\n';
  const width = Math.max(...rows.map((r) => r.name.length), 4);
  const lines = [`alloctrace/test: ${rows.length} of ${measured.length} measured calls, most memory first`, `${'test'.padEnd(width)}  ${'helper'.padEnd(11)}  ${'bytes'.padStart(10)}  ${'limit'.padStart(10)}  verdict`];
  for (const r of rows) {
    lines.push(`${r.name.padEnd(width)}  ${r.helper.padEnd(11)}  ${formatSize(r.bytes).padStart(10)}  ${formatSize(r.limit).padStart(10)}  ${r.passed ? 'ok' : 'over'}`);
  }
  return `${lines.join('\n')}\n`;
}
