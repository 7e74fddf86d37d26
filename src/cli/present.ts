/** What the CLI prints of the pipeline's diagnostics: one `alloctrace: warning:` line each, on stderr. */
import type { Diagnostic } from '../pipeline/diagnostics';
import { escapeControl } from '../report/escape';

export function formatWarnings(warnings: ReadonlyArray<string | Diagnostic>): string {
  return warnings.map((w) => `alloctrace: warning: ${escapeControl(typeof w === 'string' ? w : w.message)}\n`).join('');
}
