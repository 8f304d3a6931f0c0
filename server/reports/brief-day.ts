// What the daily brief reads of a day when the day closes; a brief is built from it by brief-build.ts. Two folds
// close days: the brief's own replay of the log (brief.ts, createBriefFold) and the day-end facts kept on the
// app's one fold (brief-facts.ts). Both read a day through these functions, on a live state whose clock stands at
// the day's last millisecond, so a brief made either way is the same brief.
import type { AreaKey, AreaTree } from '../contract/areas';
import { WARNING_ORDER } from '../contract/areas';
import type {
  BriefCluster,
  BriefFloodResponse,
  BriefOverdueTicket,
  BriefRankRow,
  BriefTicketDay,
} from '../contract/brief';
import type { ResponseLevel, StoredEvent, TicketCategory } from '../contract/events';
import type { AreaAggregate } from '../contract/live';
import { dayStartMs } from '../contract/time';
import type { Geo } from '../geo/load';
import type { LiveFold } from '../live/types';
import type { SupervisionFold } from '../live/supervision';
import { compareWorst, landingKpis, overdueTickets, shortCellName } from './landing';

/** The same weekday one week earlier, and the days in between for the chart. */
export const COMPARE_DAYS = 7;
export const OVERDUE_LISTED = 50;
export const WORST_CELLS = 10;

import { createBriefBuilder, dateOfDay } from './brief-build';

export { dateOfDay, median } from './brief-build';

/** The areas a brief exists for: the district and its towns. */
export function briefAreas(tree: Pick<AreaTree, 'root' | 'children' | 'nodes'>): AreaKey[] {
  return [
    tree.root as AreaKey,
    ...((tree.children[tree.root] ?? []).filter((k) => tree.nodes[k]?.level === 'town') as AreaKey[]),
  ];
}

/** A checkpoint's readings of one day, as the live state took them. */
export interface CheckpointDay {
  id: string;
  peakLevel: number;
  peakMs: number;
  color: number;
  firstWarningMs: number;
  readings: number;
}

/** A flood response of the day, and the brief areas whose response level it changed. */
export interface ResponseDay {
  r: BriefFloodResponse;
  changed: AreaKey[];
}

/** What a day's close keeps of the live state, per brief area (the brief's day-end sections). */
export interface DayEnd {
  overdue: { total: number; items: BriefOverdueTicket[] };
  worstCells: { total: number; items: BriefRankRow[] };
  towns?: BriefRankRow[];
  clusters: BriefCluster[];
  coverage: number | null;
  responseLevel: ResponseLevel;
  byCategory: Partial<Record<TicketCategory, number>>;
}

/** Everything a brief of `day` reads besides the alerts: its eight days' ticket figures and its own day's close. */
export interface BriefDays {
  day: number;
  /** Days day − COMPARE_DAYS … day, each per brief area. */
  daily: ReadonlyMap<AreaKey, BriefTicketDay>[];
  end: ReadonlyMap<AreaKey, DayEnd>;
  checkpoints: Iterable<CheckpointDay>;
  responses: readonly ResponseDay[];
  /** The last seq folded when the brief is made. */
  seq: number;
}

type RankRow = BriefRankRow & { kpis: ReturnType<typeof landingKpis> };

/**
 * The first `k` of `rows` in the order of a stable sort by `compare` (equal rows keep their order), without
 * sorting them all.
 */
export function firstOf<T>(rows: readonly T[], k: number, compare: (a: T, b: T) => number): T[] {
  const top: T[] = [];
  for (const r of rows) {
    if (top.length === k && (k === 0 || compare(r, top[k - 1]!) >= 0)) continue;
    let i = top.length;
    while (i > 0 && compare(r, top[i - 1]!) < 0) i--;
    top.splice(i, 0, r);
    if (top.length > k) top.pop();
  }
  return top;
}

/** The readings of a day (and the building of a brief, brief-build.ts), over one geography. */
export function createDayReader(geo: Geo) {
  const tree = geo.tree;
  const areas = briefAreas(tree);
  const townName = (townId: string | undefined) => (townId ? (tree.nodes[`town:${townId}`]?.name ?? null) : null);
  const builder = createBriefBuilder(geo);

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

  const rankRow = (key: AreaKey, name: string, agg: AreaAggregate, kpis = landingKpis(agg.tickets)): RankRow => {
    const t = agg.tickets;
    // The month up to the brief's day, as the landing ranks (compareWorst reads the same window's kpis).
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
  const strip = ({ kpis: _kpis, ...row }: RankRow): BriefRankRow => row;
  const ranked = (rows: RankRow[]): BriefRankRow[] => rows.sort(compareWorst).map(strip);

  const keysBelow = (area: AreaKey, level: 'grid' | 'forest'): AreaKey[] => {
    const towns = tree.nodes[area]?.level === 'town' ? [area] : areas.slice(1);
    return towns.flatMap(
      (town) => (tree.children[town] ?? []).filter((k) => tree.nodes[k]?.level === level) as AreaKey[],
    );
  };

  /** The areas below the towns read once per day's end: the district's lists and each town's hold the same cells. */
  interface Below {
    agg(key: AreaKey): AreaAggregate | undefined;
    kpis(key: AreaKey, agg: AreaAggregate): RankRow['kpis'];
  }
  const below = (live: LiveFold): Below => {
    const aggs = new Map<AreaKey, AreaAggregate | undefined>();
    const kpis = new Map<AreaKey, RankRow['kpis']>();
    return {
      agg(key) {
        if (!aggs.has(key)) aggs.set(key, live.aggregate(key));
        return aggs.get(key);
      },
      kpis(key, agg) {
        let k = kpis.get(key);
        if (!k) kpis.set(key, (k = landingKpis(agg.tickets)));
        return k;
      },
    };
  };

  function readDayEnd(live: LiveFold, cells: Below, area: AreaKey, end: number): DayEnd {
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
      const a = cells.agg(key);
      const node = tree.nodes[key]!;
      return a ? [rankRow(key, district ? node.name : shortCellName(node.name), a, cells.kpis(key, a))] : [];
    });
    // Only the worst few are listed: picked, not the whole district's cells sorted.
    const worst = firstOf(cellRows, WORST_CELLS, compareWorst).map(strip);
    const clusters = keysBelow(area, 'forest').flatMap((key): BriefCluster[] => {
      const a = cells.agg(key);
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
      worstCells: { total: cellRows.length, items: worst },
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

  /**
   * A flood reading counted into its checkpoint's row of the day; `color`: the checkpoint's colour index while
   * this reading is its latest (undefined when it is not: a reading older than the one held).
   */
  const counted = (s: StoredEvent, ms: number, rows: Map<string, CheckpointDay>, color: number | undefined): void => {
    const e = s.event;
    if (e.kind !== 'flood.reading') return;
    let row = rows.get(e.checkpointId);
    if (!row)
      rows.set(
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
    if (color !== undefined) {
      if (color > row.color) row.color = color;
      if (color > 0 && ms < row.firstWarningMs) row.firstWarningMs = ms;
    }
  };

  return {
    areas,

    /**
     * The ticket figures of local day `day` per brief area, read on `live` with its clock at the day's last
     * millisecond: its 'today' window is that day. 督办 as the dashboard's area figures counted it then.
     */
    ticketDays(live: LiveFold, supervision: SupervisionFold, day: number): Map<AreaKey, BriefTicketDay> {
      const last = dayStartMs(day + 1) - 1;
      const date = dateOfDay(day);
      return new Map(
        areas.map((a) => {
          const s = supervision.counts(a, last);
          return [a, ticketDay(date, live.aggregate(a), s && { open: s.open, day: s.today })];
        }),
      );
    },

    /** The ticket figures of a day before the log's first event: what ticketDays() reads on a state that folded nothing. */
    emptyDay(day: number): Map<AreaKey, BriefTicketDay> {
      const date = dateOfDay(day);
      return new Map(areas.map((a) => [a, ticketDay(date, undefined, undefined)]));
    },

    /** The brief's day-end sections of local day `day` per brief area, read as ticketDays() is. */
    dayEnd(live: LiveFold, day: number): Map<AreaKey, DayEnd> {
      const end = dayStartMs(day + 1);
      const cells = below(live);
      return new Map(areas.map((a) => [a, readDayEnd(live, cells, a, end)]));
    },

    /** A flood reading just folded into `live`: counted into its checkpoint's row of the day. */
    reading(live: LiveFold, s: StoredEvent, ms: number, rows: Map<string, CheckpointDay>): void {
      const e = s.event;
      if (e.kind !== 'flood.reading') return;
      // The colour as the live state gives it to the map, read while this reading is the checkpoint's latest.
      const cp = live.checkpoint(e.checkpointId);
      counted(s, ms, rows, cp && cp.readingAt === e.time ? WARNING_ORDER.indexOf(cp.color) : undefined);
    },

    counted,

    /** Each brief area's response level, read before a flood response is folded (see response()). */
    levels: (live: LiveFold): (ResponseLevel | undefined)[] => areas.map((a) => live.aggregate(a)?.flood.responseLevel),

    /** A flood response just folded into `live`, with the levels before it: the day's entry. */
    response(live: LiveFold, s: StoredEvent, before: (ResponseLevel | undefined)[]): ResponseDay | undefined {
      const e = s.event;
      if (e.kind !== 'flood.response') return undefined;
      const changed = areas.filter((a, i) => live.aggregate(a)?.flood.responseLevel !== before[i]);
      const r: BriefFloodResponse = { at: e.time, level: e.level };
      if (e.riverId !== undefined) r.riverId = e.riverId;
      if (e.area !== undefined) r.area = e.area as AreaKey;
      if (e.note !== undefined) r.note = e.note;
      return { r, changed };
    },

    build: builder.build,
  };
}

export type DayReader = ReturnType<typeof createDayReader>;
