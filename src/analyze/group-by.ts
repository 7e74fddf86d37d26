/**
 * The `--group-by` keys and the check of grouping options: apart from the grouping engine, so the
 * CLI can validate options without loading it.
 */
import { AlloctraceError } from '../errors';

export type GroupBy = 'lineno' | 'filename' | 'function' | 'traceback';
export const GROUP_BYS: readonly GroupBy[] = ['lineno', 'filename', 'function', 'traceback'];

export function checkSiteOptions(options: { groupBy: GroupBy; cumulative?: boolean }): void {
  if (options.cumulative === true && options.groupBy === 'traceback') {
    throw new AlloctraceError('ERR_USAGE', 'cumulative statistics cannot be grouped by traceback (every frame of a traceback is already in it)');
  }
}
