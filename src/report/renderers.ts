/**
 * Every report a command prints, by output format: a command picks a format, never a renderer.
 * A new format is one more key here (and its renderer module beside this one).
 */
import type { CompareReportView, SeriesReportView } from '../analyze/diff-report';
import type { StatisticsReportView } from '../analyze/report';
import { renderCompareJson, renderSeriesJson } from './diff-json';
import { renderCompareText, renderSeriesText } from './diff-text';
import { renderStatisticsJson } from './json';
import { renderStatisticsText } from './text';
import type { TypeCompareView, TypesReportView } from '../analyze/kinds';
import { renderTypeCompareJson, renderTypeCompareText, renderTypesJson, renderTypesText } from './kinds';

export type OutputFormat = 'text' | 'json';

export type ReportView = StatisticsReportView | CompareReportView | SeriesReportView | TypesReportView | TypeCompareView;

type Renderers = { [K in ReportView['kind']]: (view: Extract<ReportView, { kind: K }>) => string };

export const RENDERERS: Record<OutputFormat, Renderers> = {
  text: { statistics: renderStatisticsText, compare: renderCompareText, series: renderSeriesText, types: renderTypesText, 'type-compare': renderTypeCompareText },
  json: { statistics: renderStatisticsJson, compare: renderCompareJson, series: renderSeriesJson, types: renderTypesJson, 'type-compare': renderTypeCompareJson },
};

/** `view` rendered in `format`. */
export function renderReport(view: ReportView, format: OutputFormat): string {
  const renderers = RENDERERS[format];
  switch (view.kind) {
    case 'statistics':
      return renderers.statistics(view);
    case 'compare':
      return renderers.compare(view);
    case 'series':
      return renderers.series(view);
    case 'types':
      return renderers.types(view);
    case 'type-compare':
      return renderers['type-compare'](view);
  }
}
