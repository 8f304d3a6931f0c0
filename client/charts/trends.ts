// An area's trends (GET /api/v1/trends, server/contract/trends.ts): the fetch, and which charts an area gets.
import type { AreaKey } from '../../server/contract/areas';
import type { AreaTrends } from '../../server/contract/trends';
import { TICKET_CATEGORIES, type TicketCategory } from '../../server/contract/events';

export type TrendChartKind = 'ticketsPerDay' | 'ratesPerWeek' | 'flood' | 'coverage';

/** Flood range presets of the panel. */
export const FLOOD_RANGES = { day: 24 * 3600_000, week: 7 * 24 * 3600_000 } as const;
export type FloodRange = keyof typeof FLOOD_RANGES;

/** The range ends at the server's now (a time-lapse demo runs the server's clock ahead of the browser's). */
export async function fetchTrends(area: AreaKey, range: FloodRange, signal?: AbortSignal): Promise<AreaTrends> {
  const url = new URL('/api/v1/trends', window.location.origin);
  url.searchParams.set('area', area);
  url.searchParams.set('hours', String(FLOOD_RANGES[range] / 3600_000));
  const res = await fetch(url, signal ? { signal, cache: 'no-store' } : { cache: 'no-store' });
  if (!res.ok) throw new Error(`trends: HTTP ${res.status}`);
  return (await res.json()) as AreaTrends;
}

/**
 * The charts worth drawing for this answer: tickets and rates for every area; flood levels only where the
 * area has checkpoints, coverage only where it has forest clusters (a grid cell has neither, mostly), so the
 * panel shows no empty axes.
 */
export function trendCharts(body: Pick<AreaTrends, 'flood' | 'coverage'>): TrendChartKind[] {
  const out: TrendChartKind[] = ['ticketsPerDay', 'ratesPerWeek'];
  if (body.flood.checkpoints.length > 0) out.push('flood');
  if (body.coverage.length > 0) out.push('coverage');
  return out;
}

/** Categories with at least one ticket in the days, most tickets first (ties in the contract's order): the stack's order, bottom up. */
export function stackCategories(days: AreaTrends['days']): TicketCategory[] {
  const totals = new Map<TicketCategory, number>();
  for (const d of days)
    for (const [c, n] of Object.entries(d.byCategory) as [TicketCategory, number][])
      totals.set(c, (totals.get(c) ?? 0) + n);
  return TICKET_CATEGORIES.filter((c) => (totals.get(c) ?? 0) > 0).sort((a, b) => totals.get(b)! - totals.get(a)!);
}

/**
 * A flood series with a break (null) where readings stopped for more than `maxGapBuckets` buckets: a line
 * drawn straight across a silent gauge would invent levels nobody measured.
 */
export function floodLine(
  points: readonly (readonly [number, number])[],
  bucketMs: number,
  maxGapBuckets = 3,
): [number, number | null][] {
  const out: [number, number | null][] = [];
  for (let i = 0; i < points.length; i++) {
    const [t, level] = points[i]!;
    if (i > 0 && t - points[i - 1]![0] > maxGapBuckets * bucketMs) out.push([points[i - 1]![0] + bucketMs, null]);
    out.push([t, level]);
  }
  return out;
}
