// The ticket filter of GET /api/v1/tickets (routes/state.ts), parsed the same way for the exports, plus the
// export's own time window. Kept apart from the route so that the export cannot answer a filter the table
// would refuse; tests/integration/export.test.ts checks both answer the same set.
import type { AreaKey, AreaTree } from '../contract/areas';
import { TICKET_CATEGORIES, TicketStatus, type TicketCategory } from '../contract/events';
import { isAreaKey, RATE_WINDOWS, rateWindowStartDay, type RateWindow } from '../contract/live';
import type { TicketQuery } from '../live/types';
import { dayStartMs, LOCAL_OFFSET_MS, localDay } from '../contract/time';

export const TICKET_STATUSES = ['open', ...TicketStatus.anyOf.map((b) => b.const)] as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The filter without paging; `area` is always set (the asker's scope when not given), as in the route. */
export function parseTicketQuery(
  q: Record<string, string | undefined>,
  scope: AreaKey,
  tree: Pick<AreaTree, 'nodes'>,
): Parsed<TicketQuery & { area: AreaKey }> {
  const area = q.area ?? scope;
  if (!isAreaKey(area) || !tree.nodes[area]) return { ok: false, message: `area: unknown area '${area}'` };
  const query: TicketQuery & { area: AreaKey } = { area };
  if (q.status !== undefined) {
    if (!(TICKET_STATUSES as readonly string[]).includes(q.status))
      return { ok: false, message: `status: must be one of ${TICKET_STATUSES.join(', ')}` };
    query.status = q.status as TicketQuery['status'];
  }
  if (q.category !== undefined) {
    if (!(TICKET_CATEGORIES as readonly string[]).includes(q.category))
      return { ok: false, message: `category: must be one of ${TICKET_CATEGORIES.join(', ')}` };
    query.category = q.category as TicketCategory;
  }
  if (q.overdue !== undefined) query.overdue = q.overdue === 'true';
  return { ok: true, value: query };
}

/** [from, to) in epoch ms, half-open like the KPIs' 'today'. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * An ISO time with an explicit offset, or a bare date meaning that day's local midnight (Asia/Shanghai). A
 * bare local time is refused: eight hours ambiguous, as in the event contract. A '+' sent unencoded in a
 * query string arrives as a space; it is read back as '+'.
 */
export function parseInstant(name: string, raw: string): Parsed<number> {
  const s = raw.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  if (DATE_ONLY.test(s)) {
    const ms = Date.parse(`${s}T00:00:00Z`);
    if (!Number.isNaN(ms)) return { ok: true, value: ms - LOCAL_OFFSET_MS };
  } else if (HAS_OFFSET.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return { ok: true, value: ms };
  }
  return {
    ok: false,
    message: `${name}: expected an ISO time with an offset (2025-07-20T08:00:00+08:00) or a date (2025-07-20), got '${raw}'`,
  };
}

/**
 * The window of `from` / `to`; undefined when neither is given. One alone: from it to the end of time, or
 * from the start of the log up to it.
 */
export function parseWindow(q: { from?: string | undefined; to?: string | undefined }): Parsed<TimeWindow | undefined> {
  if (q.from === undefined && q.to === undefined) return { ok: true, value: undefined };
  let fromMs = -Infinity;
  let toMs = Infinity;
  if (q.from !== undefined) {
    const p = parseInstant('from', q.from);
    if (!p.ok) return p;
    fromMs = p.value;
  }
  if (q.to !== undefined) {
    const p = parseInstant('to', q.to);
    if (!p.ok) return p;
    toMs = p.value;
  }
  if (!(fromMs < toMs)) return { ok: false, message: 'from must be before to' };
  return { ok: true, value: { fromMs, toMs } };
}

/**
 * A rate window (today, month, year, rolling30d: the KPI surfaces' windows, docs/KPIS.md) as [from, to): from
 * local midnight of its first day to the end of today, so it holds everything dated in the window up to now and
 * the export's fold stops where the dashboard's figures stand.
 */
export function rateWindowRange(window: RateWindow, nowMs: number): TimeWindow {
  const today = localDay(nowMs);
  return { fromMs: dayStartMs(rateWindowStartDay(window, today)), toMs: dayStartMs(today + 1) };
}

/** Today in Asia/Shanghai around `nowMs`: the KPI bar's 'today'. */
export const todayWindow = (nowMs: number): TimeWindow => rateWindowRange('today', nowMs);

/**
 * The export's window: `window` (a rate window ending today) or `from` / `to` (parseWindow), never both;
 * undefined when none is given.
 */
export function parseExportWindow(
  q: { from?: string | undefined; to?: string | undefined; window?: string | undefined },
  nowMs: number,
): Parsed<TimeWindow | undefined> {
  if (q.window === undefined) return parseWindow(q);
  if (q.from !== undefined || q.to !== undefined)
    return { ok: false, message: 'window: give either window or from/to, not both' };
  if (!(RATE_WINDOWS as readonly string[]).includes(q.window))
    return { ok: false, message: `window: must be one of ${RATE_WINDOWS.join(', ')}` };
  return { ok: true, value: rateWindowRange(q.window as RateWindow, nowMs) };
}

/** "2025-07-20" of an epoch time, in local time. */
export const localDate = (ms: number): string => new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
