// Chart options for the detail panel, kept apart from the components: a small hourly trend (created vs closed)
// and the tickets by category. Colours come from the page's theme (palette.ts), so the wall and the desk
// themes both read; type is large, because the wall is read from across the room.
import type { ChartOption } from './EChart';
import type { ChartPalette } from './palette';
import type { CategoryBar, TrendSeries } from './trend';

const FONT_SIZE = 13;

export function trendOption(s: TrendSeries, p: ChartPalette, names: { created: string; closed: string }): ChartOption {
  return {
    animation: false, // the wall redraws every minute for days; motion there is noise
    grid: { left: 36, right: 12, top: 30, bottom: 24 },
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: p.textDim, fontSize: FONT_SIZE } },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: s.labels,
      boundaryGap: false,
      axisLabel: {
        color: p.textDim,
        fontSize: FONT_SIZE - 1,
        interval: Math.max(0, Math.ceil(s.labels.length / 6) - 1),
      },
      axisLine: { lineStyle: { color: p.border } },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { color: p.textDim, fontSize: FONT_SIZE - 1 },
      splitLine: { lineStyle: { color: p.border, opacity: 0.5 } },
    },
    series: [
      {
        name: names.created,
        type: 'line',
        data: s.created,
        showSymbol: false,
        smooth: true,
        lineStyle: { width: 2.5, color: p.created },
        itemStyle: { color: p.created },
        areaStyle: { color: p.created, opacity: 0.15 },
      },
      {
        name: names.closed,
        type: 'line',
        data: s.closed,
        showSymbol: false,
        smooth: true,
        lineStyle: { width: 2.5, color: p.closed },
        itemStyle: { color: p.closed },
      },
    ],
  };
}

export function categoryOption(
  bars: readonly CategoryBar[],
  p: ChartPalette,
  nameOf: (bar: CategoryBar) => string,
): ChartOption {
  // Largest at the top: a horizontal bar chart draws its first category at the bottom.
  const ordered = [...bars].reverse();
  return {
    animation: false,
    grid: { left: 8, right: 36, top: 4, bottom: 4, containLabel: true },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'value', show: false, minInterval: 1 },
    yAxis: {
      type: 'category',
      data: ordered.map(nameOf),
      axisLabel: { color: p.text, fontSize: FONT_SIZE },
      axisLine: { show: false },
      axisTick: { show: false },
    },
    series: [
      {
        type: 'bar',
        data: ordered.map((b) => b.count),
        barMaxWidth: 16,
        itemStyle: { color: p.accent, borderRadius: 2 },
        label: { show: true, position: 'right', color: p.text, fontSize: FONT_SIZE },
      },
    ],
  };
}
