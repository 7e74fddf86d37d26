/**
 * One self-contained HTML page per report (`run`/`show`, `compare`, a series): the data as
 * inline JSON, the script and style inline, no request to anywhere at view time. Pure: report
 * objects and resolved traces in, a string out; source line text comes in as data (the CLI reads
 * it), so nothing here touches the disk.
 */
import type { CompareReportView, SeriesReportView, TraceLabel } from '../../analyze/diff-report';
import type { Location } from '../../analyze/location';
import type { StatisticsReportView } from '../../analyze/report';
import type { TraceFile } from '../../trace/format';
import { formatCompareLine } from '../diff-text';
import { describeMeasure, formatRowLocation } from '../text';
import { formatCount, formatInterval, formatSize } from '../../units';
import { CLIENT_CSS, CLIENT_JS } from './client';
import { callGraph, diffFlameTree, flameTree, type CallGraph, type FlameNode } from './model';

/** Text of source lines, keyed `file:line` (file as the report names it). */
export type SourceLines = ReadonlyMap<string, string>;

export interface HtmlContext {
  /** The command that made the report, shown in the header. */
  command?: string;
  sources?: SourceLines;
}

interface Cell {
  t: string;
  v: string | number;
  title?: string;
}
interface TableData {
  title: string;
  columns: Array<{ title: string; numeric?: boolean; cls?: string }>;
  rows: Array<{ file: string | null; cells: Cell[] }>;
}
interface PageData {
  kind: 'statistics' | 'compare' | 'series';
  flame?: FlameNode;
  diff?: boolean;
  table?: TableData;
  series?: { verdict: string; totals: number[]; suspects: Array<{ label: string; sizes: number[]; verdict: string }> };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside `<script>`: no `</script>`, no `<!--`, no line separators. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function sourceText(location: Location, sources: SourceLines | undefined): string {
  if (sources === undefined || location.file === null || location.line === null) return '';
  const line = location.precision === 'candidates' && location.candidates?.[0] !== undefined ? location.candidates[0] : location.line;
  return (sources.get(`${location.file}:${line}`) ?? '').trim();
}

/** The `file:line`s whose text a page would show, for the CLI to read before rendering. */
export function wantedSourceLines(locations: readonly Location[]): Array<{ file: string; line: number }> {
  const out: Array<{ file: string; line: number }> = [];
  for (const l of locations) {
    if (l.file === null || l.line === null || l.origin !== 'user') continue;
    const line = l.precision === 'candidates' && l.candidates?.[0] !== undefined ? l.candidates[0] : l.line;
    out.push({ file: l.file, line });
  }
  return out;
}

function graphSvg(graph: CallGraph): string {
  const max = Math.max(1, ...graph.edges.map((e) => e.bytes));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(graph.width)}" height="${Math.ceil(graph.height)}" class="callgraph">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#8895a7"/></marker>');
  parts.push('<marker id="arrow-hot" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#c0392b"/></marker></defs>');
  for (const e of graph.edges) {
    const a = graph.nodes[e.from]!;
    const b = graph.nodes[e.to]!;
    const x1 = a.x + a.w / 2;
    const y1 = a.y + a.h;
    const x2 = b.x + b.w / 2;
    const y2 = b.y;
    const width = 1 + 7 * Math.sqrt(e.bytes / max);
    const mid = (y1 + y2) / 2;
    const tip = escapeHtml(`${a.name} → ${b.name}: ${formatSize(e.bytes)}`);
    parts.push(
      `<path class="edge${e.hot ? ' hot' : ''}" d="M${x1.toFixed(1)},${y1.toFixed(1)} C${x1.toFixed(1)},${mid.toFixed(1)} ${x2.toFixed(1)},${mid.toFixed(1)} ${x2.toFixed(1)},${(y2 - 2).toFixed(1)}" fill="none" stroke="${e.hot ? '#c0392b' : '#8895a7'}" stroke-opacity="${e.hot ? 0.9 : 0.55}" stroke-width="${width.toFixed(1)}" marker-end="url(#${e.hot ? 'arrow-hot' : 'arrow'})" data-tip="${tip}"/>`,
    );
  }
  for (const n of graph.nodes) {
    const selfShare = graph.total > 0 ? n.self / graph.total : 0;
    const fill = n.origin === 'user' ? `hsl(24,85%,${Math.round(92 - 40 * Math.sqrt(selfShare))}%)` : n.origin === 'dependency' ? 'hsl(48,80%,85%)' : 'hsl(205,30%,88%)';
    const tip = escapeHtml(`${n.name}\n${n.file}\nself ${formatSize(n.self)}, total ${formatSize(n.total)}`);
    const name = n.name.length > 28 ? `${n.name.slice(0, 27)}…` : n.name;
    parts.push(
      `<g class="gnode${n.hot ? ' hot' : ''}" data-name="${escapeHtml(n.name)}" data-self="${Math.round(n.self)}" data-total="${Math.round(n.total)}" data-tip="${tip}">` +
        `<rect x="${n.x.toFixed(1)}" y="${n.y.toFixed(1)}" width="${n.w.toFixed(1)}" height="${n.h.toFixed(1)}" rx="4" fill="${fill}" stroke="${n.hot ? '#c0392b' : '#5b6b80'}" stroke-width="${n.hot ? 2.5 : 1}"/>` +
        `<text x="${(n.x + 5).toFixed(1)}" y="${(n.y + 13).toFixed(1)}">${escapeHtml(name)}</text>` +
        `<text x="${(n.x + 5).toFixed(1)}" y="${(n.y + 27).toFixed(1)}" fill="#445">${escapeHtml(`${formatSize(n.self)} / ${formatSize(n.total)}`)}</text></g>`,
    );
  }
  parts.push('</svg>');
  if (graph.hidden > 0) parts.push(`<p class="status">${graph.hidden} smaller functions not drawn.</p>`);
  return parts.join('\n');
}

function metaList(entries: ReadonlyArray<[string, string | null | undefined]>): string {
  return `<dl class="meta">${entries
    .filter((e): e is [string, string] => e[1] !== null && e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl>`;
}

function traceMeta(trace: TraceFile, context: HtmlContext): Array<[string, string | null]> {
  const m = trace.meta;
  return [
    ['command', context.command ?? null],
    ['program', m.argv.join(' ')],
    ['node', m.nodeVersion === null ? null : `${m.nodeVersion}${m.v8Version === null ? '' : ` (V8 ${m.v8Version})`}${m.platform === null ? '' : `, ${m.platform}`}`],
    ['mode', m.mode === 'live' ? 'live (memory still held)' : m.mode === 'allocated' ? 'allocated (everything allocated)' : null],
    ['interval', m.interval === null ? 'unknown' : `sampled every ${formatInterval(m.interval)}`],
    ['pid', m.pid === null ? null : String(m.pid)],
    ['taken', m.time],
    ['flags', m.flags.join(' ')],
  ];
}

function page(title: string, header: string, data: PageData, sections: string[], notes: readonly string[]): string {
  const notesHtml = notes.length === 0 ? '' : `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No request leaves the page: everything is inline, and the policy says so to the browser.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CLIENT_CSS}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    header,
    notesHtml,
    ...sections,
    `<script id="alloctrace-data" type="application/json">${scriptJson(data)}</script>`,
    `<script>${CLIENT_JS}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** `run --html` / `show --html`: flame graph, call graph, top table, metadata and notes. */
export function renderStatisticsHtml(report: StatisticsReportView, trace: TraceFile, context: HtmlContext = {}): string {
  const rows = report.stats.map((s) => {
    const src = sourceText(s.location, context.sources);
    return {
      file: s.location.file,
      cells: [
        { t: formatRowLocation(s.location, s.via), v: formatRowLocation(s.location, s.via) },
        { t: formatSize(s.size), v: s.size },
        { t: formatCount(s.count), v: s.count },
        { t: formatSize(s.count > 0 ? s.size / s.count : 0), v: s.count > 0 ? s.size / s.count : 0 },
        { t: String(s.samples), v: s.samples },
        { t: src, v: src },
      ],
    };
  });
  const table: TableData = {
    title: `Top ${report.stats.length} (${report.groupBy}), as \`show\` lists them`,
    columns: [{ title: 'location', cls: 'loc' }, { title: 'size', numeric: true, cls: 'num' }, { title: 'count', numeric: true, cls: 'num' }, { title: 'average', numeric: true, cls: 'num' }, { title: 'samples', numeric: true, cls: 'num' }, { title: 'source', cls: 'src' }],
    rows,
  };
  const data: PageData = { kind: 'statistics', flame: flameTree(trace), table };
  const header = metaList([
    ['measured', `${describeMeasure(report.measure)}: est. ${formatSize(report.total.size)}, ${formatCount(report.total.count)} allocations, ${report.total.samples} samples`],
    ...traceMeta(trace, context),
  ]);
  const sections = ['<section id="flame"></section>', '<section id="table"></section>', `<section id="graph">${graphSvg(callGraph(trace))}</section>`];
  return page(`alloctrace: ${trace.meta.argv[0]?.split(/[\\/]/).pop() ?? 'report'}`, header, data, sections, report.notes);
}

function labelText(l: TraceLabel): string {
  return `${l.name}${l.time === null ? '' : ` (${l.time})`}`;
}

/** `compare --html` of two traces: the diff flame graph and the diff table. */
export function renderCompareHtml(report: CompareReportView, older: TraceFile, newer: TraceFile, context: HtmlContext = {}): string {
  const rows = report.stats.map((s) => ({
    file: s.location.file,
    cells: [
      { t: formatRowLocation(s.location, s.via), v: formatRowLocation(s.location, s.via), title: formatCompareLine(s) },
      { t: formatSize(s.sizeDiff, true), v: s.sizeDiff },
      { t: formatSize(s.size), v: s.size },
      { t: formatCount(s.countDiff, true), v: s.countDiff },
      { t: s.significant ? `± ${formatSize(s.noise)}` : `within noise (± ${formatSize(s.noise)})`, v: s.noise },
      { t: s.status, v: s.status },
      { t: sourceText(s.location, context.sources), v: sourceText(s.location, context.sources) },
    ],
  }));
  const table: TableData = {
    title: `What changed (${report.groupBy}), as \`compare\` lists it`,
    columns: [{ title: 'location', cls: 'loc' }, { title: 'size diff', numeric: true, cls: 'num' }, { title: 'size', numeric: true, cls: 'num' }, { title: 'count diff', numeric: true, cls: 'num' }, { title: 'noise', numeric: true, cls: 'num' }, { title: 'status' }, { title: 'source', cls: 'src' }],
    rows,
  };
  const data: PageData = { kind: 'compare', flame: diffFlameTree(older, newer), diff: true, table };
  const header = metaList([
    ['older', labelText(report.older)],
    ['newer', labelText(report.newer)],
    ['total', `${formatSize(report.total.size)} (${formatSize(report.total.sizeDiff, true)})`],
    ['command', context.command ?? null],
  ]);
  return page('alloctrace compare', header, data, ['<section id="flame"></section>', '<section id="table"></section>'], report.notes);
}

/** `compare --html` of a series: each suspect's estimate over time, the verdict, the table. */
export function renderSeriesHtml(report: SeriesReportView, first: TraceFile, last: TraceFile, context: HtmlContext = {}): string {
  const verdict =
    report.suspects.length === 0
      ? `No suspected leaks over ${report.traces.length} traces (total ${formatSize(report.total.sizeDiff, true)}).`
      : `${report.suspects.length} suspected leak${report.suspects.length === 1 ? '' : 's'} over ${report.traces.length} traces; total ${formatSize(report.total.sizeDiff, true)} first → last, grew in ${report.totalGrewIn} of ${report.traces.length - 1} intervals.`;
  const siteRow = (s: SeriesReportView['stats'][number]): TableData['rows'][number] => ({
    file: s.location.file,
    cells: [
      { t: formatRowLocation(s.location, s.via), v: formatRowLocation(s.location, s.via) },
      { t: formatSize(s.sizeDiff, true), v: s.sizeDiff },
      { t: formatSize(s.size), v: s.size },
      { t: `${s.grewIn}/${s.steps}`, v: s.grewIn },
      { t: s.verdict ?? (s.suspected ? 'suspected' : ''), v: s.verdict ?? '' },
      { t: sourceText(s.location, context.sources), v: sourceText(s.location, context.sources) },
    ],
  });
  const table: TableData = {
    title: 'Sites, first → last',
    columns: [{ title: 'location', cls: 'loc' }, { title: 'growth', numeric: true, cls: 'num' }, { title: 'last size', numeric: true, cls: 'num' }, { title: 'grew in', numeric: true, cls: 'num' }, { title: 'verdict' }, { title: 'source', cls: 'src' }],
    rows: [...report.suspects, ...report.stats].map(siteRow),
  };
  const data: PageData = {
    kind: 'series',
    flame: diffFlameTree(first, last),
    diff: true,
    table,
    series: { verdict, totals: report.totals, suspects: report.suspects.map((s) => ({ label: formatRowLocation(s.location, s.via), sizes: s.sizes, verdict: s.verdict ?? 'suspected' })) },
  };
  const header = metaList([
    ['traces', report.traces.length <= 3 ? report.traces.map((t) => t.name).join(', ') : `${report.traces.length}: ${report.traces[0]!.name} … ${report.traces[report.traces.length - 1]!.name}`],
    ['command', context.command ?? null],
  ]);
  return page('alloctrace series', header, data, ['<section id="series"></section>', '<section id="flame"></section>', '<section id="table"></section>'], report.notes);
}
