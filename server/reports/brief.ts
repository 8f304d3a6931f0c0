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
import type { AreaKey, AreaTree } from '../contract/areas';
import { WARNING_ORDER, type WarningColor } from '../contract/areas';
import { inScope } from '../contract/auth';
import type {
  Brief,
  BriefAlert,
  BriefCheckpoint,
  BriefCluster,
  BriefFloodResponse,
  BriefOverdueTicket,
  BriefRankRow,
  BriefTicketDay,
} from '../contract/brief';
import type { ResponseLevel, StoredEvent, TicketCategory } from '../contract/events';
import type { AreaAggregate } from '../contract/live';
import type { Geo } from '../geo/load';
import { createAlertBook } from '../rules/alerts';
import { compareWorst, landingKpis, overdueTickets, shortCellName } from './landing';
import type { LiveOptions } from '../live/options';
import { createLiveState } from '../live/state';
import { createSupervisionFold } from '../live/supervision';
import { DAY_MS, dayStartMs, isoLocal } from '../contract/time';
import { type KeyframeStore, SCAN_BATCH } from '../store/types';
import { decodeKeyframe } from '../live/keyframes';

/** The same weekday one week earlier, and the days in between for the chart. */
export const COMPARE_DAYS = 7;
export const OVERDUE_LISTED = 50;
export const WORST_CELLS = 10;
/** The replay's clock follows the events' times in steps of at least this (the app's clock ticks every second). */
const CLOCK_STEP_MS = 1000;

/** 'YYYY-MM-DD' of a local day number (days since 1970-01-01, Asia/Shanghai). */
export const dateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The local day number of 'YYYY-MM-DD'; undefined for a string that is not a real calendar date. */
export function dayOfDate(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return undefined;
  return ms / DAY_MS;
}

/** The areas a brief exists for: the district and its towns. */
export function briefAreas(tree: Pick<AreaTree, 'root' | 'children' | 'nodes'>): AreaKey[] {
  return [
    tree.root as AreaKey,
    ...((tree.children[tree.root] ?? []).filter((k) => tree.nodes[k]?.level === 'town') as AreaKey[]),
  ];
}

interface CheckpointDay {
  id: string;
  peakLevel: number;
  peakMs: number;
  color: number;
  firstWarningMs: number;
  readings: number;
}

/** What the last day's close keeps of the replayed state, per brief area. */
interface DayEnd {
  overdue: { total: number; items: BriefOverdueTicket[] };
  worstCells: { total: number; items: BriefRankRow[] };
  towns?: BriefRankRow[];
  clusters: BriefCluster[];
  coverage: number | null;
  responseLevel: ResponseLevel;
  byCategory: Partial<Record<TicketCategory, number>>;
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
  const areas = briefAreas(tree);
  const first = day - COMPARE_DAYS;
  /** End of each day first..day (exclusive), epoch ms. */
  const ends = Array.from({ length: COMPARE_DAYS + 1 }, (_, i) => dayStartMs(first + i + 1));
  const from = dayStartMs(day);
  const to = ends[COMPARE_DAYS]!;
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
  const responses: { r: BriefFloodResponse; changed: Set<AreaKey> }[] = [];
  let next = 0;
  let clock = -Infinity;
  let seq = 0;
  let pending: StoredEvent[] = [];

  const townName = (townId: string | undefined) => (townId ? (tree.nodes[`town:${townId}`]?.name ?? null) : null);
  const checkpointProps = new Map(geo.layers.checkpoints.features.map((f) => [f.properties.id, f.properties]));
  const townsWithRiver = new Map<string, Set<AreaKey>>();
  for (const p of checkpointProps.values()) {
    const set = townsWithRiver.get(p.riverId) ?? new Set<AreaKey>();
    set.add(`town:${p.townId}`);
    townsWithRiver.set(p.riverId, set);
  }

  const flush = () => {
    if (pending.length > 0) {
      live.apply(pending);
      supervision.apply(pending);
    }
    pending = [];
  };

  const ticketDay = (
    date: string,
    agg: AreaAggregate | undefined,
    supervision: { open: number; day: number } | undefined,
  ): BriefTicketDay => {
    const t = agg?.tickets;
    return {
      date,
      created: t?.newToday ?? 0,
      proactive: t?.proactiveToday ?? 0,
      closed: t?.closedToday ?? 0,
      responseRate: t?.responseRate ?? null,
      resolutionRate: t?.resolutionRate ?? null,
      satisfactionRate: t?.satisfactionRate ?? null,
      composite: t?.composite ?? null,
      open: t?.open ?? 0,
      overdue: t?.overdue ?? 0,
      supervised: supervision?.day ?? 0,
      supervisedOpen: supervision?.open ?? 0,
    };
  };

  const rankRow = (
    key: AreaKey,
    name: string,
    agg: AreaAggregate,
  ): BriefRankRow & { kpis: ReturnType<typeof landingKpis> } => {
    const t = agg.tickets;
    // The month up to the brief's day, as the landing ranks (compareWorst reads the same window's kpis).
    const kpis = landingKpis(t);
    return {
      key,
      name,
      composite: kpis.composite,
      responseRate: kpis.responseRate,
      resolutionRate: kpis.resolutionRate,
      satisfactionRate: kpis.satisfactionRate,
      sample: kpis.sample,
      proactiveShare: kpis.proactiveShare,
      monthCreated: kpis.created,
      created: t.newToday,
      open: t.open,
      overdue: t.overdue,
      kpis,
    };
  };
  const ranked = (rows: ReturnType<typeof rankRow>[]): BriefRankRow[] =>
    rows.sort(compareWorst).map(({ kpis: _kpis, ...row }) => row);

  const keysBelow = (area: AreaKey, level: 'grid' | 'forest'): AreaKey[] => {
    const towns = tree.nodes[area]?.level === 'town' ? [area] : areas.slice(1);
    return towns.flatMap(
      (town) => (tree.children[town] ?? []).filter((k) => tree.nodes[k]?.level === level) as AreaKey[],
    );
  };

  function closeDay(i: number): void {
    flush();
    const end = ends[i]!;
    live.advance(end - 1);
    clock = Math.max(clock, end - 1);
    const date = dateOfDay(first + i);
    daily[i] = new Map(
      areas.map((a) => {
        // 督办 as the dashboard's area figures counted it at that moment: open now, supervised that day.
        const s = supervision.counts(a, end - 1);
        return [a, ticketDay(date, live.aggregate(a), s && { open: s.open, day: s.today })];
      }),
    );
    if (i === COMPARE_DAYS) dayEnd = new Map(areas.map((a) => [a, readDayEnd(a, end)]));
  }

  function readDayEnd(area: AreaKey, end: number): DayEnd {
    const district = area === tree.root;
    const agg = live.aggregate(area);
    const overdueAll = overdueTickets(live, area);
    const overdue = overdueAll.slice(0, OVERDUE_LISTED).map((t): BriefOverdueTicket => {
      const cell: AreaKey | null = t.place?.gridId ? `grid:${t.place.gridId}` : null;
      const cellNode = cell ? tree.nodes[cell] : undefined;
      return {
        id: t.id,
        title: t.title,
        category: t.category,
        urgency: t.urgency,
        status: t.status,
        createdAt: t.createdAt,
        resolveDueAt: t.resolveDueAt,
        lateMs: Math.max(0, Math.round(end - Date.parse(t.resolveDueAt))),
        cell: cellNode ? cell : null,
        cellName: cellNode ? shortCellName(cellNode.name) : null,
        town: townName(t.place?.townId),
      };
    });
    const cellRows = keysBelow(area, 'grid').flatMap((key) => {
      const a = live.aggregate(key);
      const node = tree.nodes[key]!;
      return a ? [rankRow(key, district ? node.name : shortCellName(node.name), a)] : [];
    });
    const worst = ranked(cellRows);
    const clusters = keysBelow(area, 'forest').flatMap((key): BriefCluster[] => {
      const a = live.aggregate(key);
      const node = tree.nodes[key]!;
      return a
        ? [
            {
              key,
              name: node.name,
              town: tree.nodes[node.parent ?? '']?.name ?? null,
              coverage: a.patrol.coverageToday,
              lastPatrolAt: a.patrol.lastPatrolAt,
            },
          ]
        : [];
    });
    // Least walked first: the page asks "where did nobody go".
    clusters.sort((a, b) => (a.coverage ?? -1) - (b.coverage ?? -1) || a.name.localeCompare(b.name, 'zh-CN'));
    const out: DayEnd = {
      overdue: { total: overdueAll.length, items: overdue },
      worstCells: { total: worst.length, items: worst.slice(0, WORST_CELLS) },
      clusters,
      coverage: agg?.patrol.coverageToday ?? null,
      responseLevel: agg?.flood.responseLevel ?? 'none',
      byCategory: { ...(agg?.tickets.byCategory ?? {}) },
    };
    if (district) {
      out.towns = ranked(
        areas.slice(1).flatMap((key) => {
          const a = live.aggregate(key);
          return a ? [rankRow(key, tree.nodes[key]!.name, a)] : [];
        }),
      );
    }
    return out;
  }

  function foldReading(s: StoredEvent, ms: number): void {
    const e = s.event;
    if (e.kind !== 'flood.reading') return;
    flush();
    live.apply([s]);
    let row = checkpoints.get(e.checkpointId);
    if (!row)
      checkpoints.set(
        e.checkpointId,
        (row = {
          id: e.checkpointId,
          peakLevel: -Infinity,
          peakMs: ms,
          color: 0,
          firstWarningMs: Infinity,
          readings: 0,
        }),
      );
    row.readings++;
    if (e.level > row.peakLevel) {
      row.peakLevel = e.level;
      row.peakMs = ms;
    }
    // The colour as the live state gives it to the map, read while this reading is the checkpoint's latest.
    const cp = live.checkpoint(e.checkpointId);
    if (cp && cp.readingAt === e.time) {
      const color = WARNING_ORDER.indexOf(cp.color);
      if (color > row.color) row.color = color;
      if (color > 0 && ms < row.firstWarningMs) row.firstWarningMs = ms;
    }
  }

  function foldResponse(s: StoredEvent): void {
    const e = s.event;
    if (e.kind !== 'flood.response') return;
    flush();
    const before = new Map(areas.map((a) => [a, live.aggregate(a)?.flood.responseLevel]));
    live.apply([s]);
    const changed = new Set(areas.filter((a) => live.aggregate(a)?.flood.responseLevel !== before.get(a)));
    const r: BriefFloodResponse = { at: e.time, level: e.level };
    if (e.riverId !== undefined) r.riverId = e.riverId;
    if (e.area !== undefined) r.area = e.area as AreaKey;
    if (e.note !== undefined) r.note = e.note;
    responses.push({ r, changed });
  }

  /** A response concerns a town when it changed the town's level, names the town (or an area above or in it), or its river runs past a checkpoint of the town. */
  const responseConcerns = (x: { r: BriefFloodResponse; changed: Set<AreaKey> }, area: AreaKey): boolean => {
    if (area === tree.root || x.changed.has(area)) return true;
    const { r } = x;
    if (r.area !== undefined && (inScope(tree, r.area, area) || inScope(tree, area, r.area))) return true;
    if (r.area === undefined && r.riverId === undefined) return true;
    return r.area === undefined && r.riverId !== undefined && (townsWithRiver.get(r.riverId)?.has(area) ?? false);
  };

  function build(area: AreaKey, generatedAtMs: number, source: Brief['source']): Brief {
    const node = tree.nodes[area]!;
    const end = dayEnd!.get(area)!;
    const days = daily.map((m) => m.get(area)!);
    const inArea = (townId: string) => area === tree.root || area === `town:${townId}`;
    const flood: BriefCheckpoint[] = [...checkpoints.values()]
      .filter((c) => c.color > 0 && inArea(checkpointProps.get(c.id)?.townId ?? ''))
      .sort((a, b) => b.color - a.color || a.firstWarningMs - b.firstWarningMs || a.id.localeCompare(b.id))
      .map((c) => {
        const p = checkpointProps.get(c.id)!;
        return {
          id: c.id,
          name: p.name,
          town: townName(p.townId),
          color: WARNING_ORDER[c.color] as WarningColor,
          peakLevel: c.peakLevel,
          peakAt: isoLocal(c.peakMs),
          firstWarningAt: isoLocal(c.firstWarningMs),
          readings: c.readings,
        };
      });
    const raised = alerts.list(tree, area).filter((a) => {
      const ms = Date.parse(a.raisedAt);
      return ms >= from && ms < to;
    });
    const items: BriefAlert[] = raised.map((a) => {
      const ack =
        a.acknowledgedAt === undefined ? null : Math.max(0, Date.parse(a.acknowledgedAt) - Date.parse(a.raisedAt));
      const item: BriefAlert = {
        id: a.id,
        rule: a.rule,
        severity: a.severity,
        title: a.title,
        area: a.area,
        raisedAt: a.raisedAt,
        status: a.status,
        ackMs: ack,
        escalated: a.escalatedAt !== undefined,
      };
      if (a.acknowledgedAt !== undefined) item.acknowledgedAt = a.acknowledgedAt;
      if (a.facts !== undefined) item.facts = { ...a.facts };
      return item;
    });
    const acks = items.flatMap((a) => (a.ackMs === null ? [] : [a.ackMs]));
    const bySeverity = { info: 0, warning: 0, severe: 0 };
    for (const a of items) bySeverity[a.severity]++;
    const brief: Brief = {
      area: { key: area, name: node.name, level: node.level === 'district' ? 'district' : 'town' },
      date: dateOfDay(day),
      from: isoLocal(from),
      to: isoLocal(to),
      generatedAt: isoLocal(generatedAtMs),
      source,
      seq,
      tickets: { day: days[COMPARE_DAYS]!, weekBefore: days[0]!, daily: days, byCategory: end.byCategory },
      overdue: end.overdue,
      worstCells: end.worstCells,
      flood: {
        checkpoints: flood,
        responses: responses.filter((x) => responseConcerns(x, area)).map((x) => x.r),
        responseLevelAtEnd: end.responseLevel,
      },
      patrol: { coverage: end.coverage, clusters: end.clusters },
      alerts: {
        raised: items.length,
        bySeverity,
        acknowledged: acks.length,
        unacknowledged: items.length - acks.length,
        medianAckMs: median(acks),
        worstAckMs: acks.length > 0 ? Math.max(...acks) : null,
        items,
      },
    };
    if (end.towns) brief.towns = end.towns;
    return brief;
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
        if (ms >= from && s.event.kind === 'flood.reading') foldReading(s, ms);
        else if (ms >= from && s.event.kind === 'flood.response') foldResponse(s);
        else pending.push(s);
      }
      flush();
    },
    finish(generatedAtMs, source) {
      flush();
      while (next <= COMPARE_DAYS) closeDay(next++);
      return new Map(areas.map((a) => [a, build(a, generatedAtMs, source)]));
    },
  };
}

/** The middle value (the mean of the two middle ones for an even count), rounded to the millisecond. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return Math.round(s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
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
 * Reads the log once and returns the brief of `day` for the district and every town: from the newest keyframe
 * taken before the brief's first day when there is one (its live state and alert book), else from the start.
 */
export async function computeBriefs(
  geo: Geo,
  options: Partial<LiveOptions>,
  log: BriefLog,
  day: number,
  generatedAtMs: number,
  source: Brief['source'],
  keyframes?: BriefKeyframes,
): Promise<Map<AreaKey, Brief>> {
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
