// Trend data for the detail panel: GET /api/v1/trend (server/routes/trend.ts) and its shaping into chart series.
import type { TicketCategory } from '../../server/contract/events';
import type { AreaKey } from '../../server/contract/areas';

export interface TrendBody {
  seq: number;
  area: AreaKey;
  hours: number;
  from: string;
  bucketMs: number;
  points: { at: string; created: number; closed: number }[];
  byCategory: Partial<Record<TicketCategory, number>>;
  created: number;
  closed: number;
}

export async function fetchTrend(area: AreaKey, hours: number, signal?: AbortSignal): Promise<TrendBody> {
  const url = new URL('/api/v1/trend', window.location.origin);
  url.searchParams.set('area', area);
  url.searchParams.set('hours', String(hours));
  const res = await fetch(url, signal ? { signal } : {});
  if (!res.ok) throw new Error(`trend: HTTP ${res.status}`);
  return (await res.json()) as TrendBody;
}

export interface TrendSeries {
  /** Hour labels, oldest first. */
  labels: string[];
  created: number[];
  closed: number[];
  /** Open tickets gained over the window: created minus closed, summed (negative: the backlog shrank). */
  backlogChange: number;
  /** The busiest hour's created count (0 when the window is empty). */
  peak: number;
}

/**
 * The hourly series of a trend answer, with every hour of the window present: an hour the server left out
 * (it should not) counts as zero rather than closing the gap in the line and misleading the eye.
 */
export function trendSeries(
  body: Pick<TrendBody, 'from' | 'bucketMs' | 'hours' | 'points'>,
  label: (ms: number) => string,
): TrendSeries {
  const start = Date.parse(body.from);
  const byTime = new Map(body.points.map((p) => [Date.parse(p.at), p]));
  const labels: string[] = [];
  const created: number[] = [];
  const closed: number[] = [];
  let backlogChange = 0;
  let peak = 0;
  for (let i = 0; i < body.hours; i++) {
    const at = start + i * body.bucketMs;
    const p = byTime.get(at);
    labels.push(label(at));
    created.push(p?.created ?? 0);
    closed.push(p?.closed ?? 0);
    backlogChange += (p?.created ?? 0) - (p?.closed ?? 0);
    peak = Math.max(peak, p?.created ?? 0);
  }
  return { labels, created, closed, backlogChange, peak };
}

export interface CategoryBar {
  category: TicketCategory;
  count: number;
}

/** Categories by count, largest first (ties by the category key, for a stable chart), at most `limit`. */
export function categoryBars(byCategory: Partial<Record<TicketCategory, number>>, limit = 8): CategoryBar[] {
  return (Object.entries(byCategory) as [TicketCategory, number][])
    .filter(([, n]) => n > 0)
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
    .slice(0, limit);
}
