// The town leader's landing: the town's KPIs beside the district average, its villages / communities and grid
// cells ranked, its overdue tickets, what got worse this week, and the 零诉求 streaks. Pure: it reads the live
// state, the two-week fold (weekly.ts) and the geography, and builds the answer; the route only guards it.
//
// Villages and communities are not areas of the tree: the grid cells carry them in their names
// ("张家湾镇·三间房村·2号网格", as the data build names them), and villages.geojson lists the committees
// with their town. A unit is the set of a town's cells that name the same committee; its KPIs are the cells'
// counters summed (PooledTickets), its streak the shortest of its cells' streaks (the unit's last ticket is
// the latest of its cells'). Committees that no cell names (30 of 587 in the shipped data) cannot receive a
// located ticket, so they are left out rather than shown with an empty record.
import type { AreaKey, AreaTree, GridCellProps, LayerCollection, VillageProps } from '../contract/areas';
import { TICKET_CATEGORIES, type TicketCategory } from '../contract/events';
import {
  thinComposite,
  type Landing,
  type LandingCell,
  type LandingKpis,
  type LandingOverdueTicket,
  type LandingUnit,
} from '../contract/landing';
import {
  DEFAULT_MIN_RATE_SAMPLE,
  DEFAULT_RATE_WINDOW,
  ticketWindow,
  type RateWindow,
  type TicketKpis,
  type TicketObject,
} from '../contract/live';
import { isoLocal, WEEK_MS } from '../contract/time';
import type { LiveState, PooledTickets } from '../live/types';
import { type WeeklyTickets } from '../live/weekly';
import type { SupervisionFold } from '../live/supervision';
import { streakWithStart, treatedTowns, unitStart, type Concepts, type DayCounters } from './treatment';

export const CELLS_SHOWN = 20;
export const OVERDUE_SHOWN = 50;
export const RISERS_SHOWN = 10;
/** tickets() pages at most this many. */
const PAGE = 1000;

/** A village or community and the grid cells that name it. */
export interface TownUnit {
  key: string;
  name: string;
  kind: 'community' | 'village';
  villageIds: string[];
  cells: AreaKey[];
}

/** Per town id, its units in the order their first cell appears; and per cell key, its unit's key. */
export interface UnitIndex {
  byTown: Map<string, TownUnit[]>;
  unitOfCell: Map<AreaKey, TownUnit>;
}

/** "张家湾镇·三间房村·2号网格" → "三间房村"; undefined for a name without that form. */
export function unitNameOfCell(name: string): string | undefined {
  const parts = name.split('·');
  return parts.length === 3 && parts[1]!.length > 0 ? parts[1] : undefined;
}

/** The cell's name without its town, which the landing already names. */
export function shortCellName(name: string): string {
  const parts = name.split('·');
  return parts.length > 1 ? parts.slice(1).join('·') : name;
}

export function indexUnits(
  grid: LayerCollection<GridCellProps>,
  villages: LayerCollection<VillageProps, unknown>,
): UnitIndex {
  const committees = new Map<string, VillageProps[]>();
  for (const f of villages.features) {
    const id = `${f.properties.townId}|${f.properties.name}`;
    const list = committees.get(id);
    if (list) list.push(f.properties);
    else committees.set(id, [f.properties]);
  }
  const byTown = new Map<string, TownUnit[]>();
  const units = new Map<string, TownUnit>();
  const unitOfCell = new Map<AreaKey, TownUnit>();
  for (const f of grid.features) {
    const { id, townId, name } = f.properties;
    const unitName = unitNameOfCell(name);
    if (unitName === undefined) continue;
    const id2 = `${townId}|${unitName}`;
    let unit = units.get(id2);
    if (!unit) {
      const known = committees.get(id2) ?? [];
      unit = {
        key: known.length === 1 ? known[0]!.id : `${townId}:${unitName}`,
        name: unitName,
        kind: known[0]?.kind ?? (unitName.endsWith('社区') ? 'community' : 'village'),
        villageIds: known.map((v) => v.id),
        cells: [],
      };
      units.set(id2, unit);
      const list = byTown.get(townId);
      if (list) list.push(unit);
      else byTown.set(townId, [unit]);
    }
    const key: AreaKey = `grid:${id}`;
    unit.cells.push(key);
    unitOfCell.set(key, unit);
  }
  return { byTown, unitOfCell };
}

export interface LandingSources {
  tree: Pick<AreaTree, 'root' | 'nodes' | 'children'>;
  units: UnitIndex;
  live: Pick<LiveState, 'seq' | 'aggregate' | 'tickets'> & PooledTickets;
  weekly: Pick<WeeklyTickets, 'weeks'>;
  /**
   * 治理类 towns and configured 零诉求 starts (treatment.ts), read with the area trends' day counters; without
   * them the landing lists no treatment and the streaks are the live state's own.
   */
  concepts?: { concepts: Concepts; counters: DayCounters };
  /** 督办 counted per area (supervision.ts); without it the KPI cards leave supervision out. */
  supervision?: Pick<SupervisionFold, 'counts'>;
}

/** The rates of `window` (the month by default: the assessment's window) and the counts of now. */
export function landingKpis(t: TicketKpis, window: RateWindow = DEFAULT_RATE_WINDOW): LandingKpis {
  const w = ticketWindow(t, window);
  return {
    responseRate: w.responseRate,
    resolutionRate: w.resolutionRate,
    satisfactionRate: w.satisfactionRate,
    composite: w.composite,
    sample: w.sample,
    open: t.open,
    overdue: t.overdue,
    nearDeadline: t.nearDeadline,
    newToday: t.newToday,
    proactiveShare: w.created > 0 ? w.proactive / w.created : null,
    created: w.created,
  };
}

/**
 * Worst first: the lowest composite (no data yet: last, since nothing says it is bad; a composite on fewer
 * tickets than the floor: after the ranked rows, since one bad rating does not make a village the worst), then
 * the most overdue, then the most open, then by name so equal rows keep a stable order.
 */
export function compareWorst(a: { name: string; kpis: LandingKpis }, b: { name: string; kpis: LandingKpis }): number {
  const group = (k: LandingKpis) => (k.composite === null ? 2 : thinComposite(k) ? 1 : 0);
  if (group(a.kpis) !== group(b.kpis)) return group(a.kpis) - group(b.kpis);
  const ca = a.kpis.composite;
  const cb = b.kpis.composite;
  if (ca !== cb) {
    if (ca === null) return 1;
    if (cb === null) return -1;
    return ca - cb;
  }
  return b.kpis.overdue - a.kpis.overdue || b.kpis.open - a.kpis.open || a.name.localeCompare(b.name, 'zh-CN');
}

/** The district average (see the contract): district rates, counts per town. */
export function districtAverage(
  district: TicketKpis,
  towns: number,
  window: RateWindow = DEFAULT_RATE_WINDOW,
): LandingKpis {
  const per = (n: number) => (towns > 0 ? n / towns : 0);
  return {
    ...landingKpis(district, window),
    open: per(district.open),
    overdue: per(district.overdue),
    nearDeadline: per(district.nearDeadline),
    newToday: per(district.newToday),
  };
}

/** Every overdue open ticket of the area, longest overdue first (earliest resolve deadline), then oldest. */
export function overdueTickets(live: Pick<LiveState, 'tickets'>, area: AreaKey): TicketObject[] {
  const all: TicketObject[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = live.tickets({ area, status: 'open', overdue: true, offset, limit: PAGE });
    all.push(...page.items);
    if (page.items.length < PAGE || all.length >= page.total) break;
  }
  const due = (t: TicketObject) => Date.parse(t.resolveDueAt);
  return all.sort(
    (a, b) => due(a) - due(b) || Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id),
  );
}

/**
 * The landing of `town` at `nowMs`; undefined when `town` is not a town of the tree. Everything but
 * `district` is read from the town's own subtree.
 */
export function buildLanding(
  src: LandingSources,
  town: AreaKey,
  nowMs: number,
  window: RateWindow = DEFAULT_RATE_WINDOW,
): Landing | undefined {
  const { tree, live } = src;
  const node = tree.nodes[town];
  const townAgg = live.aggregate(town);
  const districtAgg = live.aggregate(tree.root as AreaKey);
  const weeks = src.weekly.weeks(town, nowMs);
  if (!node || node.level !== 'town' || !townAgg || !districtAgg || !weeks) return undefined;
  const root = tree.nodes[tree.root]!;
  const townCount = (tree.children[tree.root] ?? []).filter((k) => tree.nodes[k]?.level === 'town').length;

  // Grid cells, with their aggregates read once.
  const cellKeys = (tree.children[town] ?? []).filter((k) => tree.nodes[k]?.level === 'grid') as AreaKey[];
  const cellRows = new Map<AreaKey, LandingCell>();
  for (const key of cellKeys) {
    const agg = live.aggregate(key);
    if (!agg) continue;
    cellRows.set(key, {
      key,
      name: shortCellName(tree.nodes[key]!.name),
      kpis: landingKpis(agg.tickets, window),
      zeroComplaintDays: agg.zeroComplaintDays,
    });
  }
  const cells = [...cellRows.values()].sort(compareWorst);
  const rank = new Map(cells.map((c, i) => [c.key, i]));

  const extra = src.concepts;
  const unitStreak = (u: TownUnit, foldDays: number): number =>
    extra
      ? streakWithStart(foldDays, unitStart(extra.concepts, u.villageIds), u.cells, extra.counters, nowMs)
      : foldDays;
  const treatment = extra
    ? (treatedTowns(extra.concepts, extra.counters, tree, [town], nowMs, DEFAULT_MIN_RATE_SAMPLE)[0] ?? null)
    : null;

  const units: LandingUnit[] = [];
  for (const u of src.units.byTown.get(node.id) ?? []) {
    const own = u.cells.filter((k) => cellRows.has(k));
    if (own.length === 0) continue;
    const focus = own.reduce((best, k) => (rank.get(k)! < rank.get(best)! ? k : best));
    units.push({
      key: u.key,
      name: u.name,
      kind: u.kind,
      villageIds: u.villageIds,
      cells: own.length,
      focus,
      kpis: landingKpis(live.pooledTickets(own), window),
      zeroComplaintDays: unitStreak(u, Math.min(...own.map((k) => cellRows.get(k)!.zeroComplaintDays))),
    });
  }
  units.sort(compareWorst);
  const unitByKey = new Map(units.map((u) => [u.key, u]));

  const overdueAll = overdueTickets(live, town);
  const overdue: LandingOverdueTicket[] = overdueAll.slice(0, OVERDUE_SHOWN).map((t) => {
    const cell: AreaKey | null = t.place?.gridId ? `grid:${t.place.gridId}` : null;
    return {
      id: t.id,
      title: t.title,
      category: t.category,
      urgency: t.urgency,
      status: t.status,
      createdAt: t.createdAt,
      resolveDueAt: t.resolveDueAt,
      lateMs: Math.max(0, Math.round(nowMs - Date.parse(t.resolveDueAt))),
      cell,
      unit: cell ? (src.units.unitOfCell.get(cell)?.name ?? null) : null,
    };
  });

  // Week over week, per category and per unit.
  const change = (thisWeek: number, previous: number) => ({ thisWeek, previous, change: thisWeek - previous });
  const perCategory = new Map<TicketCategory, [number, number]>();
  const perUnit = new Map<string, [number, number]>();
  let thisWeek = 0;
  let previous = 0;
  for (const w of weeks) {
    thisWeek += w.thisWeek;
    previous += w.previous;
    const c = perCategory.get(w.category) ?? [0, 0];
    perCategory.set(w.category, [c[0] + w.thisWeek, c[1] + w.previous]);
    const unit = w.cell ? src.units.unitOfCell.get(w.cell) : undefined;
    if (unit && unitByKey.has(unit.key)) {
      const u = perUnit.get(unit.key) ?? [0, 0];
      perUnit.set(unit.key, [u[0] + w.thisWeek, u[1] + w.previous]);
    }
  }
  const byRise = (a: { change: number; thisWeek: number }, b: { change: number; thisWeek: number }) =>
    b.change - a.change || b.thisWeek - a.thisWeek;
  const byCategory = TICKET_CATEGORIES.filter((c) => perCategory.has(c))
    .map((category) => ({ category, ...change(...perCategory.get(category)!) }))
    .sort(byRise);
  const byUnit = [...perUnit.entries()]
    .map(([key, [a, b]]) => {
      const u = unitByKey.get(key)!;
      return { key, name: u.name, focus: u.focus, ...change(a, b) };
    })
    .filter((u) => u.change > 0)
    .sort((a, b) => byRise(a, b) || a.name.localeCompare(b.name, 'zh-CN'))
    .slice(0, RISERS_SHOWN);

  const streaks = units
    .filter((u) => u.zeroComplaintDays > 0)
    .map((u) => ({ key: u.key, name: u.name, kind: u.kind, focus: u.focus, days: u.zeroComplaintDays }))
    .sort((a, b) => b.days - a.days || a.name.localeCompare(b.name, 'zh-CN'));

  const kpis = landingKpis(townAgg.tickets, window);
  const districtKpis = districtAverage(districtAgg.tickets, townCount, window);
  const townSupervised = src.supervision?.counts(town, nowMs);
  const districtSupervised = src.supervision?.counts(tree.root as AreaKey, nowMs);
  if (townSupervised && districtSupervised) {
    kpis.supervisedOpen = townSupervised.open;
    kpis.supervised = townSupervised[window];
    const per = (n: number) => (townCount > 0 ? n / townCount : 0);
    districtKpis.supervisedOpen = per(districtSupervised.open);
    districtKpis.supervised = per(districtSupervised[window]);
  }

  return {
    seq: live.seq,
    at: isoLocal(nowMs),
    town: { key: town, name: node.name },
    window,
    minSample: DEFAULT_MIN_RATE_SAMPLE,
    kpis,
    treatment,
    district: {
      key: tree.root as AreaKey,
      name: root.name,
      towns: townCount,
      kpis: districtKpis,
    },
    units,
    cells: { total: cells.length, items: cells.slice(0, CELLS_SHOWN) },
    overdue: { total: overdueAll.length, items: overdue },
    week: {
      from: isoLocal(nowMs - WEEK_MS),
      previousFrom: isoLocal(nowMs - 2 * WEEK_MS),
      total: change(thisWeek, previous),
      byCategory,
      byUnit,
    },
    streaks,
  };
}
