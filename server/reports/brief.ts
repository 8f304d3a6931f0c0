// The daily brief (日报): one local day of every town and of the district, computed from the log in one pass.
//
// Why a replay and not a second set of counters: the brief's figures must be the KPIs (docs/KPIS.md), so they
// are read from a live state of its own, folded from the start of the log with its clock run along the events'
// times and stopped at 23:59:59.999 of each day asked for: its 'today' window then is exactly that day, and
// every count, rate, overdue ticket and coverage is what the dashboard showed at that moment, by the same code.
// The day is closed at the first event (in seq order) timed after it, as a replay of the log cuts it
// (server/replay/session.ts): later-arriving events dated that day had missed the dashboard's midnight too.
//
// The comparison is the same weekday a week earlier (上周同日): one day against one day, the same window, so
// no rate is averaged or pooled in a way the KPIs do not define. The eight days from that one to the day
// asked for are read on the way (the page's small chart).
//
// Alerts are a fold of the same log (the AlertBook), read to its end, so an alert raised at 23:50 and
// acknowledged at 00:10 counts 20 minutes; "unacknowledged" is as of the moment the brief is made.
import type { AreaKey } from '../contract/areas';
import type { Brief, BriefTicketDay } from '../contract/brief';
import type { StoredEvent } from '../contract/events';
import type { Geo } from '../geo/load';
import { createAlertBook } from '../rules/alerts';
import type { LiveOptions } from '../live/options';
import { createLiveState } from '../live/state';
import { createSupervisionFold } from '../live/supervision';
import { DAY_MS, dayStartMs } from '../contract/time';
import { type KeyframeStore, SCAN_BATCH } from '../store/types';
import { decodeKeyframe } from '../live/keyframes';
import type { BriefFacts } from './brief-facts';
import { COMPARE_DAYS, createDayReader, type CheckpointDay, type DayEnd, type ResponseDay } from './brief-day';

export { briefAreas, COMPARE_DAYS, dateOfDay, median, OVERDUE_LISTED, WORST_CELLS } from './brief-day';

/** The replay's clock follows the events' times in steps of at least this (the app's clock ticks every second). */
const CLOCK_STEP_MS = 1000;

/** The local day number of 'YYYY-MM-DD'; undefined for a string that is not a real calendar date. */
export function dayOfDate(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return undefined;
  return ms / DAY_MS;
}

export interface BriefFold {
  /** Folds stored events in seq order. */
  apply(events: readonly StoredEvent[]): void;
  /** Closes the days the log did not reach, and builds the brief of every area. */
  finish(generatedAtMs: number, source: Brief['source']): Map<AreaKey, Brief>;
  /** The moment before which a keyframe may stand in for the log (its clock and every event it holds). */
  readonly keyframeBefore: number;
  /**
   * Starts from a keyframe instead of the log's beginning: the live state and the alert book as they were after
   * `seq`; only before anything is folded.
   */
  restore(seq: number, takenMs: number, live: unknown, alerts: unknown, supervision: unknown): void;
}

/** A brief of `day` (local day number) for the district and every town, fed the whole log from its start. */
export function createBriefFold(geo: Geo, options: Partial<LiveOptions>, day: number): BriefFold {
  const tree = geo.tree;
  const reader = createDayReader(geo);
  const areas = reader.areas;
  const first = day - COMPARE_DAYS;
  /** End of each day first..day (exclusive), epoch ms. */
  const ends = Array.from({ length: COMPARE_DAYS + 1 }, (_, i) => dayStartMs(first + i + 1));
  const from = dayStartMs(day);
  // 督办 counted per area (supervision.ts), hearing the live state as it folds.
  const supervision = createSupervisionFold(geo);
  const live = createLiveState(geo, options, undefined, supervision.observer);
  const alerts = createAlertBook();
  // Nothing of the first day closes before ends[0], and no event before it is the brief's own day: a state
  // folded up to then, with its clock not past it, is exactly where this fold would be.
  const keyframeBefore = ends[0]! - 1;
  const daily: Map<AreaKey, BriefTicketDay>[] = [];
  let dayEnd: Map<AreaKey, DayEnd> | undefined;
  const checkpoints = new Map<string, CheckpointDay>();
  const responses: ResponseDay[] = [];
  let next = 0;
  let clock = -Infinity;
  let seq = 0;
  let pending: StoredEvent[] = [];

  const flush = () => {
    if (pending.length > 0) {
      live.apply(pending);
      supervision.apply(pending);
    }
    pending = [];
  };

  function closeDay(i: number): void {
    flush();
    const end = ends[i]!;
    live.advance(end - 1);
    clock = Math.max(clock, end - 1);
    daily[i] = reader.ticketDays(live, supervision, first + i);
    if (i === COMPARE_DAYS) dayEnd = reader.dayEnd(live, day);
  }

  /** A reading or a response of the brief's day: folded alone, so the state is read right after it. */
  function foldAlone(s: StoredEvent, ms: number): void {
    flush();
    const before = s.event.kind === 'flood.response' ? reader.levels(live) : undefined;
    live.apply([s]);
    supervision.apply([s]);
    if (before) {
      const r = reader.response(live, s, before);
      if (r) responses.push(r);
    } else reader.reading(live, s, ms, checkpoints);
  }

  return {
    keyframeBefore,
    restore(atSeq, takenMs, liveData, alertData, supervisionData) {
      if (seq !== 0) throw new Error('a brief starts from a keyframe only before it has folded anything');
      if (takenMs > keyframeBefore) throw new Error('the keyframe lies after the first day of the brief');
      live.restoreState(liveData);
      alerts.restoreState(alertData);
      supervision.restoreState(supervisionData);
      seq = atSeq;
      clock = takenMs;
    },
    apply(events) {
      alerts.apply(events);
      for (const s of events) {
        if (s.seq <= seq) continue;
        seq = s.seq;
        if (next > COMPARE_DAYS) continue; // the days are closed; only the alerts read on
        const ms = Date.parse(s.event.time);
        if (Number.isNaN(ms) || s.event.kind.startsWith('alert.')) continue;
        while (next <= COMPARE_DAYS && ms >= ends[next]!) closeDay(next++);
        if (next > COMPARE_DAYS) continue;
        if (ms > clock + CLOCK_STEP_MS) {
          flush();
          live.advance(ms);
          clock = ms;
        }
        if (ms >= from && (s.event.kind === 'flood.reading' || s.event.kind === 'flood.response')) foldAlone(s, ms);
        else pending.push(s);
      }
      flush();
    },
    finish(generatedAtMs, source) {
      flush();
      while (next <= COMPARE_DAYS) closeDay(next++);
      const days = { day, daily, end: dayEnd!, checkpoints: [...checkpoints.values()], responses, seq };
      return new Map(areas.map((a) => [a, reader.build(a, days, alerts.list(tree, a), generatedAtMs, source)]));
    },
  };
}

/** What the schedule and the route need: the log from its start, in batches. */
export interface BriefLog {
  scan(afterSeq: number, batchSize: number, onBatch: (events: StoredEvent[]) => void | Promise<void>): Promise<void>;
}

/** Where a brief may start instead of the log's beginning (live/keyframes.ts); the parts' names are the host's. */
export interface BriefKeyframes {
  store: KeyframeStore;
  version: string;
  /** The host's part holding `{ live }`, the one holding the alert book, and the 督办 counts'. */
  livePart: string;
  alertsPart: string;
  supervisionPart: string;
}

/**
 * The brief of `day` for the district and every town: from the day-end facts when they hold its week (nothing is
 * folded), else read from the log once: from the newest keyframe taken before the brief's first day when there
 * is one (its live state and alert book), else from the start.
 */
export async function computeBriefs(
  geo: Geo,
  options: Partial<LiveOptions>,
  log: BriefLog,
  day: number,
  generatedAtMs: number,
  source: Brief['source'],
  keyframes?: BriefKeyframes,
  facts?: Pick<BriefFacts, 'briefs'>,
): Promise<Map<AreaKey, Brief>> {
  const recorded = facts?.briefs(day, generatedAtMs, source);
  if (recorded) return recorded;
  const fold = createBriefFold(geo, options, day);
  let from = 0;
  if (keyframes) {
    const stored = await keyframes.store.latest({
      maxTakenMs: fold.keyframeBefore,
      maxEnvelopeMs: fold.keyframeBefore,
    });
    const decoded = stored && decodeKeyframe(stored, keyframes.version);
    if (
      stored &&
      decoded?.ok &&
      decoded.names.includes(keyframes.livePart) &&
      decoded.names.includes(keyframes.alertsPart) &&
      decoded.names.includes(keyframes.supervisionPart)
    ) {
      const live = decoded.part(keyframes.livePart) as { live: unknown };
      fold.restore(
        stored.seq,
        stored.takenMs,
        live.live,
        decoded.part(keyframes.alertsPart),
        decoded.part(keyframes.supervisionPart),
      );
      from = stored.seq;
    }
  }
  await log.scan(from, SCAN_BATCH, (batch) => fold.apply(batch));
  return fold.finish(generatedAtMs, source);
}
