// The brief's day-end facts, kept on the app's one fold: at each local midnight (Asia/Shanghai) of the fold's
// clock, what the daily brief reads of the day that ends (brief-day.ts) is recorded per brief area, so that the
// brief of any day whose week is recorded is built from these facts without folding the log again (brief.ts
// replays eight days of it for each brief: seconds of fold, and a second live state in memory).
//
// How a day closes, the same as the brief's replay closes it: the live state folds the log up to the first
// event (in seq order, alert events aside) timed on a later day, its clock is moved to the day's last
// millisecond, and the day is read there; a flood reading or response of the day is folded alone, so the state
// is read right after it. This fold wraps the live state's (the host folds the live state through it), so that
// it can close a day in the middle of a batch. One thing the replay cannot see: the app's clock. When the clock
// passes midnight before any event of the new day has come, the day closes at that tick, and an event dated
// that day but folded after it (a late one) is not in its figures: it had missed the dashboard's midnight, which
// is what the brief reports. The replay of the same log, which has no clock but the events', closes the day
// only at the first event of the next day and so counts such a late event. A restart folds its tail with no
// ticks (the host moves the clock after the scan), so there the two agree exactly; the morning's figures differ
// only by events that arrived dated yesterday between midnight and the first event of today.
//
// A day closes on the live state only while the clock has not passed it: a live state started on today's clock
// cannot read a past day (nothing is recorded; the brief falls back to the replay).
//
// Alerts are read as they are when the brief is made (brief.ts); the alert book forgets resolved ones after a
// day, so the alerts raised on the kept days are kept here as the book last held them (a resolved alert changes
// no figure of the brief any more).
import { warningIndex, type AreaKey } from '../contract/areas';
import { compareAlerts, type Alert } from '../contract/alerts';
import { inScope } from '../contract/auth';
import type { Brief, BriefTicketDay } from '../contract/brief';
import type { StoredEvent } from '../contract/events';
import { dayStartMs, localDay } from '../contract/time';
import type { Geo } from '../geo/load';
import type { SupervisionFold } from '../live/supervision';
import type { LiveFold } from '../live/types';
import type { AlertBook } from '../rules/alerts';
import { COMPARE_DAYS, createDayReader, type CheckpointDay, type DayEnd, type ResponseDay } from './brief-day';

/**
 * Days of facts kept. A brief reads its day and the seven before it, so 40 days answer the brief of any of the
 * last 32 days from the facts: the morning's, a month of on-demand ones (the schedule keeps 16 days of them), and
 * the last month's days for a monthly review. Each day is a few hundred KB (per area its overdue list and
 * worst cells, 50 and 10 rows); older briefs start from a keyframe and fold (KEYFRAME_KEEP_DAYS).
 */
export const FACT_DAYS = 40;

/** One closed day: what the brief reads of it, per brief area. */
interface DayFacts {
  day: number;
  tickets: Map<AreaKey, BriefTicketDay>;
  end: Map<AreaKey, DayEnd>;
  checkpoints: CheckpointDay[];
  responses: ResponseDay[];
}

interface BriefFactsSnapshot {
  open: number | null;
  since: number | null;
  days: DayFacts[];
  rows: CheckpointDay[];
  responses: ResponseDay[];
  alerts: Alert[];
  seq: number;
}

export interface BriefFacts {
  /** Folds a batch into the live state (the `fold` given), closing each day the batch passes the end of. */
  apply(events: readonly StoredEvent[]): void;
  /** Moves the live state's clock (the `advance` given), closing each day it passes the end of first. */
  advance(nowMs: number): void;
  /** After the alert book folded a batch: keeps the alerts of the kept days as the book holds them. */
  applyAlerts(events: readonly StoredEvent[]): void;
  /** The last seq folded. */
  readonly seq: number;
  /** The days recorded, oldest first (for logs and tests). */
  readonly days: number[];
  /** The briefs of local day `day` from the facts; undefined unless it and the seven days before it are recorded. */
  briefs(day: number, generatedAtMs: number, source: Brief['source']): Map<AreaKey, Brief> | undefined;
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

export interface BriefFactsOptions {
  geo: Geo;
  /** The live state read at each close. */
  live: LiveFold;
  /** The 督办 counts hearing that live state (their counts change as it folds). */
  supervision: SupervisionFold;
  book: AlertBook;
  /** Folds events into the live state (and whatever listens to it): the app's live projection. */
  fold(events: readonly StoredEvent[]): void;
  /** Moves that live state's clock. */
  advance(nowMs: number): void;
  /**
   * The app's clock: a day older than the kept ones (a start folding a long log) is closed on the live state but
   * not read, which would cost a reading of every area for each day of the log.
   */
  now?: () => number;
}

export function createBriefFacts(o: BriefFactsOptions): BriefFacts {
  const { geo, live, supervision, book } = o;
  const tree = geo.tree;
  const reader = createDayReader(geo);
  /** Each checkpoint's warning levels, as the live state holds them (the checkpoints layer). */
  const thresholds = new Map(geo.layers.checkpoints.features.map((f) => [f.properties.id, f.properties.thresholds]));
  const days = new Map<number, DayFacts>();
  /** The local day now open (the next to close); null before the live state has a clock or an event. */
  let open: number | null = null;
  /**
   * The day of the log's first event, when these facts folded the log from its start: the days before it are
   * empty (a brief in the log's first week compares with them); null otherwise.
   */
  let since: number | null = null;
  let rows = new Map<string, CheckpointDay>();
  let responses: ResponseDay[] = [];
  /** Alerts raised on the kept days and the open one, by id, as the book last held them. */
  const alerts = new Map<string, Alert>();
  let seq = 0;

  const openAt = (ms: number): number => {
    const clock = live.clockMs;
    return localDay(Number.isFinite(clock) ? clock : ms);
  };

  function close(day: number): void {
    const last = dayStartMs(day + 1) - 1;
    const kept = o.now === undefined || day > localDay(o.now()) - 1 - FACT_DAYS;
    if (live.clockMs <= last) o.advance(last);
    if (live.clockMs === last && kept) {
      days.set(day, {
        day,
        tickets: reader.ticketDays(live, supervision, day),
        end: reader.dayEnd(live, day),
        checkpoints: [...rows.values()],
        responses,
      });
    }
    rows = new Map();
    responses = [];
    const oldest = day - FACT_DAYS + 1;
    for (const d of days.keys()) if (d < oldest) days.delete(d);
    const cut = dayStartMs(oldest);
    for (const [id, a] of alerts) if (Date.parse(a.raisedAt) < cut) alerts.delete(id);
  }

  /** Closes every open day that ends at or before `ms`. */
  function closeThrough(ms: number): void {
    if (open === null) {
      open = openAt(ms);
      if (live.seq === 0) since = open;
    }
    while (ms >= dayStartMs(open + 1)) close(open++);
  }

  return {
    get seq() {
      return seq;
    },
    get days() {
      return [...days.keys()].sort((a, b) => a - b);
    },
    apply(events) {
      let part: StoredEvent[] = [];
      const flush = () => {
        if (part.length > 0) o.fold(part);
        part = [];
      };
      // A reading's colour is the one the live state gives its checkpoint while the reading is the latest: its
      // own level against the thresholds, if no later reading is held. Worked out here, so readings fold with
      // their batch (folding each alone, to read the state after it, cut ingest by a fifth in the rainstorm mix).
      const latestMs = new Map<string, number>();
      const latestOf = (id: string): number => {
        const held = latestMs.get(id);
        if (held !== undefined) return held;
        const at = live.checkpoint(id)?.readingAt;
        return at === undefined || at === null ? -Infinity : Date.parse(at);
      };
      for (const s of events) {
        if (s.seq <= seq) continue;
        seq = s.seq;
        const e = s.event;
        const ms = Date.parse(e.time);
        // Alert events are not the live state's, and their times move no day (as in the brief's replay).
        if (e.kind.startsWith('alert.') || Number.isNaN(ms)) {
          part.push(s);
          continue;
        }
        if (open === null || ms >= dayStartMs(open + 1)) {
          flush();
          const closing = open !== null && ms >= dayStartMs(open + 1);
          closeThrough(ms);
          // Into the new day with the event, as the replay's clock follows the events; never ahead of the app's
          // clock (a producer's clock a little fast must not roll the dashboard's day early).
          if (closing) o.advance(o.now ? Math.min(ms, o.now()) : ms);
        }
        if (e.kind === 'flood.reading' && localDay(ms) === open) {
          const th = thresholds.get(e.checkpointId);
          const latest = th !== undefined && ms >= latestOf(e.checkpointId);
          if (latest) latestMs.set(e.checkpointId, ms);
          reader.counted(s, ms, rows, latest ? warningIndex(th, e.level) : undefined);
          part.push(s);
          continue;
        }
        if (e.kind === 'flood.response' && localDay(ms) === open) {
          flush();
          const before = reader.levels(live);
          o.fold([s]);
          const r = reader.response(live, s, before);
          if (r) responses.push(r);
          continue;
        }
        part.push(s);
      }
      flush();
    },
    advance(nowMs) {
      if (!Number.isFinite(nowMs)) return;
      if (open !== null || Number.isFinite(live.clockMs)) closeThrough(nowMs);
      o.advance(nowMs);
    },
    applyAlerts(events) {
      const cut = open === null ? -Infinity : dayStartMs(open - FACT_DAYS + 1);
      for (const s of events) {
        const e = s.event;
        if (!e.kind.startsWith('alert.') || !('alertId' in e)) continue;
        const a = book.get(e.alertId);
        if (a && Date.parse(a.raisedAt) >= cut) alerts.set(a.id, a);
      }
    },
    briefs(day, generatedAtMs, source) {
      const daily: Map<AreaKey, BriefTicketDay>[] = [];
      for (let d = day - COMPARE_DAYS; d <= day; d++) {
        const f = days.get(d);
        if (f) daily.push(f.tickets);
        else if (since !== null && d < since) daily.push(reader.emptyDay(d));
        else return undefined;
      }
      // The brief's own day must be recorded: a day before the log (a log that began today) has no day-end
      // state here, and the replay answers it.
      const last = days.get(day);
      if (!last) return undefined;
      const input = {
        day,
        daily,
        end: last.end,
        checkpoints: last.checkpoints,
        responses: last.responses,
        seq,
      };
      const from = dayStartMs(day);
      const to = dayStartMs(day + 1);
      const raised = [...alerts.values()].filter((a) => {
        const ms = Date.parse(a.raisedAt);
        return ms >= from && ms < to;
      });
      return new Map(
        reader.areas.map((area) => {
          const mine = raised.filter((a) => inScope(tree, area, a.area)).sort(compareAlerts);
          return [area, reader.build(area, input, mine, generatedAtMs, source)];
        }),
      );
    },
    snapshotState() {
      return {
        open,
        since,
        days: [...days.values()],
        rows: [...rows.values()],
        responses,
        alerts: [...alerts.values()],
        seq,
      } satisfies BriefFactsSnapshot;
    },
    restoreState(data) {
      const s = data as BriefFactsSnapshot;
      open = s.open;
      since = s.since;
      days.clear();
      for (const f of s.days) days.set(f.day, f);
      rows = new Map(s.rows.map((r) => [r.id, r]));
      responses = s.responses;
      alerts.clear();
      for (const a of s.alerts) alerts.set(a.id, a);
      seq = s.seq;
    },
  };
}
