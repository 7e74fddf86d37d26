/**
 * The planted hotspots of `test/fixtures/hotspots` (one `// HOT <name>` marker each) and how a
 * report's rows land on them: on the marker's exact line, or not; and which large exact rows name
 * a line where nothing was planted (a wrong "exact"). Shared by the e2e test and bench/hotspots.
 */
import type { JsonStatisticsReport } from '../../src/report/json';
import { lineOf, type BuiltFixture } from './fixtures';

export interface Hotspot {
  name: string;
  file: string;
}

export const HOTSPOTS: readonly Hotspot[] = [
  { name: 'top-arrays', file: 'src/main.ts' },
  { name: 'top-strings', file: 'src/main.ts' },
  { name: 'top-objects', file: 'src/main.ts' },
  { name: 'join', file: 'src/render.ts' },
  { name: 'generated-join', file: 'src/generate.ts' },
  { name: 'setTimeout', file: 'src/timers.ts' },
  { name: 'two-first', file: 'src/twolines.ts' },
  { name: 'two-second', file: 'src/twolines.ts' },
];

/** Every hotspot keeps more than this alive; rows below it are noise, not findings. */
export const HOTSPOT_FLOOR = 512 * 1024;

export interface HotspotScore {
  /** Hotspots with a row at their exact line carrying more than `HOTSPOT_FLOOR`. */
  exact: string[];
  missed: string[];
  /** `file:line` of exact user-code rows above the floor where nothing was planted. */
  wrong: string[];
}

export function scoreHotspots(report: JsonStatisticsReport, fixture: BuiltFixture): HotspotScore {
  const lines = new Map(HOTSPOTS.map((h) => [`${h.file}:${lineOf(fixture, h.file, `// HOT ${h.name}`)}`, h.name]));
  const bytes = new Map<string, number>();
  for (const s of report.stats) {
    if (s.precision !== 'exact' || s.origin !== 'user') continue;
    const at = `${s.file}:${s.line}`;
    bytes.set(at, (bytes.get(at) ?? 0) + s.size);
  }
  const score: HotspotScore = { exact: [], missed: [], wrong: [] };
  for (const [at, name] of lines) ((bytes.get(at) ?? 0) > HOTSPOT_FLOOR ? score.exact : score.missed).push(name);
  for (const [at, size] of bytes) if (size > HOTSPOT_FLOOR && !lines.has(at)) score.wrong.push(at);
  return score;
}
