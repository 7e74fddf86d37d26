/** The library's statistic objects: the analyzer's plain rows, with `toString()` giving the CLI's line. */
import type { StatisticDiffRow as DiffRow } from '../analyze/compare';
import { isSignificant } from '../analyze/compare';
import type { Location } from '../analyze/location';
import type { StatisticRow } from '../analyze/statistics';
import { formatStatisticDiffLine } from '../report/diff-text';
import { formatStatisticLine } from '../report/text';

/** Memory charged to one site (line, file, function or traceback): tracemalloc's `Statistic`. */
export class Statistic {
  /** Where the memory is charged, at the precision the grouping allows. */
  readonly location: Location;
  /** The builtin or skipped callee the allocation went through (`repeat`, `JSON.parse`…), if any. */
  readonly via: string | null;
  /** Estimated bytes. */
  readonly size: number;
  /** Estimated number of allocations. */
  readonly count: number;
  /** Samples behind the estimate: how much to trust it. */
  readonly samples: number;
  /** Stack of the heaviest sample, innermost frame first. */
  readonly traceback: readonly Location[];

  /** @internal */
  constructor(row: StatisticRow) {
    this.location = row.location;
    this.via = row.via;
    this.size = row.size;
    this.count = row.count;
    this.samples = row.samples;
    this.traceback = row.traceback;
  }

  /** The line `alloctrace show` prints: `src/a.ts:40 (in grow): size=12.3 MiB, count=300, average=42 KiB`. */
  toString(): string {
    return formatStatisticLine(this);
  }
}

/** How one site changed between two snapshots: tracemalloc's `StatisticDiff`. */
export class StatisticDiff {
  readonly location: Location;
  readonly via: string | null;
  /** Estimated bytes in the newer snapshot (0 when the site is gone). */
  readonly size: number;
  /** Newer minus older, in bytes. */
  readonly sizeDiff: number;
  readonly count: number;
  readonly countDiff: number;
  /** `new`: only in the newer snapshot; `gone`: only in the older one. */
  readonly status: DiffRow['status'];
  /** Standard deviation of `sizeDiff` due to sampling, in bytes. */
  readonly noise: number;
  readonly traceback: readonly Location[];

  /** @internal */
  constructor(row: DiffRow) {
    this.location = row.location;
    this.via = row.via;
    this.size = row.size;
    this.sizeDiff = row.sizeDiff;
    this.count = row.count;
    this.countDiff = row.countDiff;
    this.status = row.status;
    this.noise = row.noise;
    this.traceback = row.traceback;
  }

  /** `true` when `sizeDiff` is more than twice the sampling noise: a real change, not chance. */
  get significant(): boolean {
    return isSignificant(this);
  }

  /** The line `alloctrace compare` prints: `src/a.ts:40 (in grow): size=48.1 MiB (+26.7 MiB), count=4.0 K (+2.0 K), average=12 KiB`. */
  toString(): string {
    return formatStatisticDiffLine(this);
  }
}
