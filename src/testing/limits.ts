/**
 * Memory limits for test suites, pytest-memray's `limit_memory` and `limit_leaks` for Node:
 * assertions that fail with the original TypeScript lines that hold the memory. They trace
 * in-process through the library API (src/api/), so they work in any test runner, in worker
 * threads and in forked workers; under `alloctrace run` they share its sampler.
 */
import { AssertionError } from 'node:assert';
import { findFunctionSuspects } from '../analyze/moved-leaks';
import { compareTraces } from '../analyze/compare';
import { analyzeSeries, type SeriesSite } from '../analyze/series';
import type { SiteOptions } from '../analyze/sites';
import { LocationKeys } from '../analyze/stack-index';
import { isTracing, start, stop, takeSnapshot, tracingInterval } from '../api/tracing';
import type { Snapshot } from '../api/snapshot';
import { AlloctraceError } from '../errors';
import { formatRowLocation } from '../report/text';
import { withCalleesLabel } from '../report/diff-text';
import { formatCount, formatSize } from '../units';
import { parseSize, type Size } from './size';
import { callerName, recordMeasurement } from './summary';

export interface LimitLeaksOptions {
  /** Calls measured, after the warm-ups (default 100). */
  iterations?: number;
  /** Calls first, not measured: caches fill, lazy initialisation runs (default 10). */
  warmups?: number;
  /** Memory that may stay alive over all measured calls (default `'64 KiB'`). */
  threshold?: Size;
  /** Snapshots the measured calls are split by: the series rule needs several (default 5, at least 3). */
  steps?: number;
  /** Sampling interval in bytes when the helper starts tracing itself (default: from the threshold). */
  interval?: Size;
  /** Name in `memorySummary()` (default: where the helper was called from). */
  name?: string;
}

export interface LimitMemoryOptions {
  /** Sampling interval in bytes when the helper starts tracing itself (default: from the limit). */
  interval?: Size;
  /** Name in `memorySummary()` (default: where the helper was called from). */
  name?: string;
}

/** What a helper measured, also when it passes. */
export interface LeakReport {
  /** Bytes still alive after the measured calls, in the sites the series rule suspects. */
  leaked: number;
  threshold: number;
  iterations: number;
  /** The suspected sites (rows, then functions counted with callees), largest share of the leak first. */
  sites: SeriesSite[];
  /** The sampling interval the measurement used. */
  interval: number;
}

export interface MemoryReport {
  /** Bytes allocated by the call and alive (after a full GC) when it returned, its result included. */
  held: number;
  limit: number;
  sites: Array<{ line: string; sizeDiff: number; countDiff: number }>;
  interval: number;
}

const MAX_ROWS = 8;
/** Expected samples per step for a leak right at the threshold: enough to tell it from noise. */
const SAMPLES_AT_THRESHOLD = 16;
const MIN_INTERVAL = 128;
const MAX_INTERVAL = 32 * 1024;

function checkCount(value: unknown, what: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new AlloctraceError('ERR_USAGE', `${what} must be a whole number ≥ ${min} (got ${String(value)})`);
  }
  return value;
}

function checkFunction(fn: unknown, what: string): asserts fn is () => unknown {
  if (typeof fn !== 'function') throw new AlloctraceError('ERR_USAGE', `${what} needs a function to call (got ${typeof fn})`);
}

function intervalFor(bytes: number, samples: number, option: Size | undefined): number {
  if (option !== undefined) return Math.max(1, Math.round(parseSize(option, 'interval')));
  return Math.round(Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, bytes / samples)));
}

/** Runs `body` with tracing on: the helper's own session, or the one already running (shared). */
async function traced<T>(interval: number, body: (interval: number) => Promise<T>): Promise<T> {
  if (isTracing()) return body(tracingInterval() ?? interval);
  start({ interval });
  try {
    return await body(tracingInterval() ?? interval);
  } finally {
    stop();
  }
}

/**
 * Calls `fn` `times` times, awaiting each result that is a promise. The helpers' functions that
 * call user code are named in `CALLS_USER_CODE` (api/tracing.ts): spliced out of sampled stacks,
 * so memory that `fn` allocates is the program's, charged to `fn`'s own lines.
 */
async function callMeasured(fn: () => unknown, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const result = fn();
    if (result instanceof Promise || (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function')) {
      await result;
    }
  }
}

function siteLine(site: Pick<SeriesSite, 'location' | 'via' | 'sizeDiff' | 'countDiff'>, withCallees = false): string {
  const where = formatRowLocation(site.location, site.via);
  const shown = withCallees ? withCalleesLabel(where) : where;
  return `  ${shown}: ${formatSize(site.sizeDiff, true)}, count ${formatCount(site.countDiff, true)}`;
}

/**
 * A snapshot once the event loop has turned: bookkeeping that Node and test runners let go of
 * in a later tick (async hooks' promise-destroy tracking, timers) is gone, not counted as held.
 */
async function settledSnapshot(): Promise<Snapshot> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return takeSnapshot();
}

/** Site options of one measurement: its traces share location keys, so sites match across them. */
function siteOptions(): SiteOptions {
  return { groupBy: 'lineno', userCode: true, keys: new LocationKeys() };
}

interface Suspect {
  row: SeriesSite;
  /** Bytes this suspect adds to the leak: a function's only what its suspected rows do not explain. */
  bytes: number;
  withCallees: boolean;
  /** A stepwise suspect's growth over the confirming calls (see `confirmStepwise`). */
  again?: number;
}

/** What the leak rule suspects: rows, and functions with callees that rows do not explain. */
function suspectsOf(snapshots: readonly Snapshot[], options: SiteOptions): Suspect[] {
  const traces = snapshots.map((s) => s.trace);
  const series = analyzeSeries(traces, options);
  const rows = series.suspects.map((row) => ({ row, bytes: Math.max(0, row.sizeDiff), withCallees: false }));
  // A function counted with its callees must have grown at (nearly) every step: V8 tiering up a
  // clean function's code grows it in a few steps that are never given back (seen under vitest).
  const functions = findFunctionSuspects(traces, options, series)
    .filter((f) => f.site.verdict === 'steady')
    .map((f) => ({ row: f.site, bytes: f.unexplained, withCallees: true }));
  return [...rows, ...functions].sort((a, b) => b.bytes - a.bytes);
}

/**
 * A suspect that grew in steps (not at every step) may be a one-time growth, not a leak: a
 * bounded cache still filling, or V8's own code and feedback for a function tiering up, charged
 * to its lines. Such a suspect counts only if its site grows again over `iterations` more calls,
 * beyond the noise and by at least half of what it grew while measured (at most half the
 * threshold): a leak repeats its growth over as many calls, a one-time event does not, and
 * neither does the odd sample of a V8 table or code object made once. Steady suspects count as
 * they are.
 */
async function confirmStepwise(suspects: Suspect[], fn: () => unknown, iterations: number, threshold: number, last: Snapshot, options: SiteOptions): Promise<Suspect[]> {
  if (suspects.every((s) => s.row.verdict === 'steady')) return suspects;
  await callMeasured(fn, iterations);
  const again = await settledSnapshot();
  const grewAgain = new Map(
    compareTraces(last.trace, again.trace, options)
      .diffs.filter((d) => d.significant && d.sizeDiff > 0)
      .map((d) => [d.key, d.sizeDiff]),
  );
  return suspects.flatMap((s) => {
    if (s.row.verdict === 'steady') return [s];
    const grew = grewAgain.get(s.row.key);
    return grew !== undefined && grew >= Math.min(s.bytes, threshold) / 2 ? [{ ...s, again: grew }] : [];
  });
}

/**
 * Fails (an `AssertionError`) when calling `fn` repeatedly keeps memory alive: after `warmups`
 * calls, `iterations` calls are split into `steps` steps with a snapshot (after a full GC)
 * before each, and the sites that the series rule of `alloctrace compare` suspects (they grew
 * beyond the sampling noise in nearly every step, or in bursts never given back) may hold at
 * most `threshold` bytes more at the end than at the start; a site that grew in steps must grow
 * again, by half as much (at most half the threshold), over `iterations` more calls to count
 * (see `confirmStepwise`). A cache that fills during the warm-ups and stays level, and garbage,
 * do not count.
 */
export async function limitLeaks(fn: () => unknown, options: LimitLeaksOptions = {}): Promise<LeakReport> {
  checkFunction(fn, 'limitLeaks()');
  const name = options.name ?? callerName();
  const iterations = checkCount(options.iterations, 'iterations', 1, 100);
  const warmups = checkCount(options.warmups, 'warmups', 0, 10);
  const steps = checkCount(options.steps, 'steps', 3, 5);
  const threshold = parseSize(options.threshold ?? '64 KiB', 'threshold');
  if (iterations < steps) throw new AlloctraceError('ERR_USAGE', `iterations (${iterations}) must be at least steps (${steps})`);
  const wanted = intervalFor(Math.max(threshold, 1024), SAMPLES_AT_THRESHOLD * steps, options.interval);
  return traced(wanted, async function measureLeaks(interval) {
    await callMeasured(fn, warmups);
    const snapshots = [await settledSnapshot()];
    for (let step = 0; step < steps; step++) {
      const from = Math.floor((step * iterations) / steps);
      const to = Math.floor(((step + 1) * iterations) / steps);
      await callMeasured(fn, to - from);
      snapshots.push(await settledSnapshot());
    }
    const options = siteOptions();
    let suspects = suspectsOf(snapshots, options);
    if (suspects.reduce((n, s) => n + s.bytes, 0) > threshold) suspects = await confirmStepwise(suspects, fn, iterations, threshold, snapshots[snapshots.length - 1]!, options);
    const leaked = Math.round(suspects.reduce((n, s) => n + s.bytes, 0));
    const report: LeakReport = { leaked, threshold, iterations, sites: suspects.map((s) => s.row), interval };
    recordMeasurement({ name, helper: 'limitLeaks', bytes: leaked, limit: threshold, passed: leaked <= threshold });
    if (leaked > threshold) {
      const how = suspects.every((s) => s.row.verdict === 'steady') ? 'growing at every step' : 'growing in steps it never gave back';
      const rows = suspects.slice(0, MAX_ROWS).map((s) => siteLine(s.row, s.withCallees) + (s.again === undefined ? '' : ` (then ${formatSize(s.again, true)} over ${iterations} more calls)`));
      if (suspects.length > MAX_ROWS) rows.push(`  … ${suspects.length - MAX_ROWS} more`);
      throw new AssertionError({
        message: `limitLeaks: ${formatSize(leaked)} stayed alive over ${iterations} calls (threshold ${formatSize(threshold)}), ${how}:\n${rows.join('\n')}`,
        actual: leaked,
        expected: threshold,
        operator: '<=',
        stackStartFn: limitLeaks,
      });
    }
    return report;
  });
}

/**
 * Fails (an `AssertionError`) when the memory that one call of `fn` allocates and still holds
 * when it returns (after a full GC; its result is kept alive until then) exceeds `limit`. This
 * is what the call keeps, not its peak: memory it allocated and freed before returning does not
 * count (`alloctrace run --mode peak` measures a program's high-water mark).
 */
export async function limitMemory(fn: () => unknown, limit: Size, options: LimitMemoryOptions = {}): Promise<MemoryReport> {
  checkFunction(fn, 'limitMemory()');
  const name = options.name ?? callerName();
  const bytes = parseSize(limit, 'limit');
  const wanted = intervalFor(Math.max(bytes, 1024), 64, options.interval);
  return traced(wanted, async function measureMemory(interval) {
    const before = takeSnapshot();
    let result: unknown = fn();
    if (result instanceof Promise) result = await result;
    const after = takeSnapshot();
    keepAlive(result);
    const diffs = after
      .compareTo(before, 'lineno', { userCode: true })
      .filter((d) => d.significant && d.sizeDiff > 0);
    const held = Math.max(0, Math.round(after.total.size - before.total.size));
    const sites = diffs.map((d) => ({ line: formatRowLocation(d.location, d.via), sizeDiff: d.sizeDiff, countDiff: d.countDiff }));
    const report: MemoryReport = { held, limit: bytes, sites, interval };
    recordMeasurement({ name, helper: 'limitMemory', bytes: held, limit: bytes, passed: held <= bytes });
    if (held > bytes) {
      const rows = diffs.slice(0, MAX_ROWS).map((d) => siteLine(d));
      throw new AssertionError({
        message: `limitMemory: ${formatSize(held)} held when the call returned (limit ${formatSize(bytes)}; live memory after GC, not the peak):\n${rows.join('\n')}`,
        actual: held,
        expected: bytes,
        operator: '<=',
        stackStartFn: limitMemory,
      });
    }
    return report;
  });
}

let kept: unknown = null;
/** Keeps `value` reachable until here: the snapshot before must see what the call returned. */
function keepAlive(value: unknown): void {
  kept = value;
  kept = null;
}
