/**
 * What the stages between reading a trace and rendering it could not do, as data: one channel for
 * every stage, so a report's notes are filters over it rather than counters kept by hand.
 */

/**
 * The stage that found the problem: `map` (a source map named but unusable), `lines` (code that
 * could not be parsed, or was over the parse budget), `exact-lines` (an `--exact-lines` script
 * whose positions could not be read back).
 */
export type DiagnosticKind = 'map' | 'lines' | 'exact-lines';

export interface Diagnostic {
  kind: DiagnosticKind;
  /** One line, naming the script it is about. */
  message: string;
}

/** `messages` of one stage as diagnostics of `kind`. */
export function diagnosticsOf(kind: DiagnosticKind, messages: readonly string[]): Diagnostic[] {
  return messages.map((message) => ({ kind, message }));
}

/** Several traces of one run share scripts: a diagnostic shared by several is given once. */
export function uniqueDiagnostics(diagnostics: Iterable<Diagnostic>): Diagnostic[] {
  const seen = new Map<string, Diagnostic>();
  for (const d of diagnostics) {
    const key = `${d.kind}\u0000${d.message}`;
    if (!seen.has(key)) seen.set(key, d);
  }
  return [...seen.values()];
}
