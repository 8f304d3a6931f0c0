// The ECharts instance behind <EChart> (EChart.tsx loads this module, and ECharts with it, on first use): made
// once per mounted element, fed with setOption when the option changes, resized with its box, disposed on
// unmount. Only the chart kinds and components the panels use are registered (echarts/core), which keeps the
// chunk a fraction of the full build.
import { useEffect, useRef } from 'react';
import { init, use as registerEcharts, type ECharts } from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartProps } from './EChart';

registerEcharts([
  LineChart,
  BarChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export default function EChartCanvas({ option, className, label, kind }: EChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const c = init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    // The panel is resized by the layout (wall vs desk, a side pane opening), not by the window alone.
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.current = null;
      c.dispose();
    };
  }, []);

  useEffect(() => {
    // notMerge: a series that left the option (a category with no tickets any more) must leave the chart.
    chart.current?.setOption(option, { notMerge: true, lazyUpdate: true });
  }, [option]);

  return <div ref={box} className={className ?? 'chart'} role="img" aria-label={label} data-chart={kind} />;
}
