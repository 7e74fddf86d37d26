/** The rewrite `--exact-lines` runs code through: parse, plan, apply; `null` when unparsable. */
import { ScriptCode } from '../lines/script-code';
import { applyWraps, planWraps } from '../lines/wrap';

export function wrapSource(source: string): string | null {
  const parsed = ScriptCode.parse(source);
  if (!parsed.ok) return null;
  const wraps = planWraps(parsed.code);
  return wraps.length === 0 ? null : applyWraps(source, wraps);
}
