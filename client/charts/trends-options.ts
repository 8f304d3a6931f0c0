// Chart options of the detail panel's trends (trends.ts has the data), kept apart from the component like
// options.ts: stacked bars of tickets per day by category, lines of the three rates per week, flood levels per
// checkpoint with the warning levels, patrol coverage per cluster per day. Colours come from the theme; type is
// as large as the other panel charts, because the wall is read from across the room.
import type { TicketCategory } from '../../server/contract/events';
import type { AreaTrends, FloodSeries } from '../../server/contract/trends';
import { categoryColor, FAMILY_OF } from '../map/palette';
import type { ChartOption } from './EChart';
import type { ChartPalette } from './palette';
import { floodLine, stackCategories } from './trends';

const FONT_SIZE = 13;
const WARNING_LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
/** The warning colours of the map's checkpoints (map/palette.ts), as CSS. */
const WARNING_CSS: Record<(typeof WARNING_LEVELS)[number], string> = {
  blue: 'rgb(30, 110, 255)',
  yellow: 'rgb(245, 200, 20)',
  orange: 'rgb(255, 128, 0)',
  red: 'rgb(230, 30, 40)',
};
/** Series colours for lines that are not categories (rates, checkpoints, clusters). */
const LINE_COLOURS = ['#4ea1ff', '#3ddc97', '#f2c14e', '#ff7eb6', '#a98bff', '#ff9a4d', '#5fd4e6', '#c2d86a'];

/**
 * A category's colour: its family's hue (as on the map), lighter for the family's later members, so the
 * categories of one family sit together in the stack and still part at their edge.
 */
export function categoryCss(c: TicketCategory): string {
  const family = FAMILY_OF[c];
  const rank = (Object.keys(FAMILY_OF) as TicketCategory[]).filter((x) => FAMILY_OF[x] === family).indexOf(c);
  const [r, g, b] = categoryColor(c);
  const mix = Math.min(0.6, rank * 0.28);
  const tone = (v: number) => Math.round(v + (255 - v) * mix);
  return `rgb(${tone(r)}, ${tone(g)}, ${tone(b)})`;
}

const axisText = (p: ChartPalette) => ({ color: p.textDim, fontSize: FONT_SIZE - 1 });
const valueAxis = (p: ChartPalette) => ({
  axisLabel: axisText(p),
  splitLine: { lineStyle: { color: p.border, opacity: 0.5 } },
});
const legend = (p: ChartPalette) => ({
  type: 'scroll' as const,
  top: 0,
  left: 0,
  right: 0,
  itemWidth: 12,
  itemHeight: 8,
  textStyle: { color: p.textDim, fontSize: FONT_SIZE - 1 },
  pageTextStyle: { color: p.textDim },
});
const categoryAxis = (p: ChartPalette, labels: string[]) => ({
  type: 'category' as const,
  data: labels,
  axisLabel: { ...axisText(p), interval: Math.max(0, Math.ceil(labels.length / 6) - 1) },
  axisLine: { lineStyle: { color: p.border } },
  axisTick: { show: false },
});
const percentAxis = (p: ChartPalette) => ({
  type: 'value' as const,
  min: 0,
  max: 1,
  ...valueAxis(p),
  axisLabel: { ...axisText(p), formatter: (v: number) => `${Math.round(v * 100)}%` },
});

export function ticketsPerDayOption(
  days: AreaTrends['days'],
  p: ChartPalette,
  names: { category: (c: TicketCategory) => string; day: (d: string) => string },
): ChartOption {
  const categories = stackCategories(days);
  return {
    animation: false, // the wall redraws every minute for days; motion there is noise
    grid: { left: 36, right: 8, top: 34, bottom: 24 },
    legend: legend(p),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: categoryAxis(
      p,
      days.map((d) => names.day(d.day)),
    ),
    yAxis: { type: 'value', minInterval: 1, ...valueAxis(p) },
    series: categories.map((c) => ({
      name: names.category(c),
      type: 'bar' as const,
      stack: 'tickets',
      barMaxWidth: 14,
      // A day without tickets of the category adds nothing to the stack (0, not a gap).
      data: days.map((d) => d.byCategory[c] ?? 0),
      itemStyle: { color: categoryCss(c) },
      emphasis: { focus: 'series' as const },
    })),
  };
}

export function ratesPerWeekOption(
  weeks: AreaTrends['weeks'],
  p: ChartPalette,
  names: {
    responseRate: string;
    resolutionRate: string;
    satisfactionRate: string;
    week: (from: string, to: string) => string;
  },
): ChartOption {
  const keys = ['responseRate', 'resolutionRate', 'satisfactionRate'] as const;
  return {
    animation: false,
    grid: { left: 40, right: 12, top: 30, bottom: 24 },
    legend: legend(p),
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '—') },
    xAxis: {
      ...categoryAxis(
        p,
        weeks.map((w) => names.week(w.from, w.to)),
      ),
      boundaryGap: false,
    },
    yAxis: percentAxis(p),
    series: keys.map((k, i) => ({
      name: names[k],
      type: 'line' as const,
      // A week without data for a rate is a gap, never 0 %: nothing rated is not everyone unhappy.
      data: weeks.map((w) => w[k]),
      connectNulls: false,
      symbolSize: 6,
      lineStyle: { width: 2.5, color: LINE_COLOURS[i] },
      itemStyle: { color: LINE_COLOURS[i] },
    })),
  };
}

/**
 * Levels per checkpoint on a time axis. With one checkpoint its four warning levels are drawn as mark lines in
 * the warning colours; with several, each has its own levels and sixteen lines would bury the data, so the
 * tooltip carries the levels instead (the checkpoint's detail has its gauge).
 */
export function floodOption(
  flood: AreaTrends['flood'],
  p: ChartPalette,
  names: { warning: (level: (typeof WARNING_LEVELS)[number]) => string; time: (ms: number) => string },
): ChartOption {
  const single = flood.checkpoints.length === 1;
  const levels = flood.checkpoints.flatMap((c) => c.points.map((pt) => pt[1]));
  const marks = single ? WARNING_LEVELS.map((w) => flood.checkpoints[0]!.thresholds[w]) : [];
  // Keep the warning lines in view only when the water comes near them: a distant red line would squash the curve flat.
  const all = [...levels, ...marks.filter((m) => levels.length > 0 && m <= Math.max(...levels) + 0.5)];
  const lo = all.length > 0 ? Math.min(...all) : 0;
  const hi = all.length > 0 ? Math.max(...all) : 1;
  const pad = Math.max(0.1, (hi - lo) * 0.1);
  return {
    animation: false,
    grid: { left: 48, right: single ? 44 : 12, top: 30, bottom: 24 },
    legend: legend(p),
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? `${v.toFixed(2)} m` : '—') },
    xAxis: {
      type: 'time',
      min: Date.parse(flood.from),
      max: Date.parse(flood.to),
      axisLabel: { ...axisText(p), formatter: (v: number) => names.time(v), hideOverlap: true },
      axisLine: { lineStyle: { color: p.border } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: Math.floor((lo - pad) * 10) / 10,
      max: Math.ceil((hi + pad) * 10) / 10,
      ...valueAxis(p),
      axisLabel: { ...axisText(p), formatter: (v: number) => v.toFixed(1) },
    },
    series: flood.checkpoints.map((c: FloodSeries, i) => ({
      name: c.name,
      type: 'line' as const,
      data: floodLine(c.points, flood.bucketMs),
      connectNulls: false,
      showSymbol: false,
      lineStyle: { width: 2, color: LINE_COLOURS[i % LINE_COLOURS.length] },
      itemStyle: { color: LINE_COLOURS[i % LINE_COLOURS.length] },
      ...(single
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              label: {
                position: 'end' as const,
                color: p.textDim,
                fontSize: FONT_SIZE - 2,
                formatter: (x: { name?: string }) => x.name ?? '',
              },
              data: WARNING_LEVELS.map((w) => ({
                name: names.warning(w),
                yAxis: c.thresholds[w],
                lineStyle: { color: WARNING_CSS[w], type: 'dashed' as const, width: 1.5 },
              })),
            },
          }
        : {}),
    })),
  };
}

export function coverageOption(
  coverage: AreaTrends['coverage'],
  p: ChartPalette,
  names: { day: (d: string) => string },
): ChartOption {
  const days = coverage[0]?.days.map((d) => d.day) ?? [];
  return {
    animation: false,
    grid: { left: 40, right: 12, top: 30, bottom: 24 },
    legend: legend(p),
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '—') },
    xAxis: { ...categoryAxis(p, days.map(names.day)), boundaryGap: false },
    yAxis: percentAxis(p),
    series: coverage.map((c, i) => ({
      name: c.name,
      type: 'line' as const,
      data: c.days.map((d) => d.share),
      showSymbol: false,
      lineStyle: { width: 2, color: LINE_COLOURS[i % LINE_COLOURS.length] },
      itemStyle: { color: LINE_COLOURS[i % LINE_COLOURS.length] },
      ...(coverage.length === 1 ? { areaStyle: { color: LINE_COLOURS[0], opacity: 0.15 } } : {}),
    })),
  };
}
