// A chart: ECharts is a large library that only the area detail, the trends and the brief draw with, so it
// is loaded on the first chart a page shows (EChartCanvas.tsx), not with the page. Until it arrives the chart's
// box holds its place, with the same size, class and label.
import { lazy, Suspense } from 'react';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
} from 'echarts/components';

/** The options our charts may use: anything else would need its component registered in EChartCanvas.tsx. */
export type ChartOption = ComposeOption<
  | LineSeriesOption
  | BarSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | TooltipComponentOption
>;

export interface EChartProps {
  option: ChartOption;
  className?: string;
  /** For tests and screen readers: what the chart shows, in words. */
  label?: string;
  /** Chart kind for e2e selectors, e.g. "trend" or "categories". */
  kind?: string;
}

const Canvas = lazy(() => import('./EChartCanvas'));

export function EChart(props: EChartProps) {
  return (
    <Suspense
      fallback={<div className={props.className ?? 'chart'} role="img" aria-label={props.label} aria-busy="true" />}
    >
      <Canvas {...props} />
    </Suspense>
  );
}
