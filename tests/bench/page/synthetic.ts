// Synthetic live state for the delta benchmark: one town-like scope with 5,000 grid cells and their
// aggregates, 10,000 open tickets and 200 rangers with 30-minute trails, and a stream of server-side Delta
// objects against it (what the live state would emit), which the page encodes to wire deltas with the
// contract's reference encoder. Deterministic (seeded) and free of DOM and Node imports.
import type { AreaKey, LayerCollection } from '../../../server/contract/areas';
import { TICKET_CATEGORIES, type TicketCategory } from '../../../server/contract/events';
import type {
  AreaAggregate,
  CheckpointObject,
  Delta,
  RangerObject,
  Snapshot,
  TicketObject,
  TrailPoint,
} from '../../../server/contract/live';
import { createRng } from '../../../server/sim/prng';
import { longWindows, NO_SAMPLE } from '../../helpers/kpis';

export interface SyntheticSize {
  cells: number;
  tickets: number;
  rangers: number;
  checkpoints: number;
}

export const FULL_SIZE: SyntheticSize = { cells: 5000, tickets: 10_000, rangers: 200, checkpoints: 60 };

/** Changes in one delta: what a busy 150 ms flush of the district carries. */
export const DELTA_SHAPE = { patches: 50, ticketsCreated: 4, ticketsUpdated: 4, ticketsClosed: 4, checkpoints: 2 };

/** A checkpoint's static site (what the checkpoints area layer gives the map). */
export interface SyntheticSite {
  id: string;
  position: [number, number];
}

export const SCOPE: AreaKey = 'town:bench';
const TRAIL_MS = 30 * 60_000;
const FIX_MS = 10_000;
/** Roughly Tongzhou: cells, tickets and rangers fall inside it, so the default camera shows them all. */
export const BOUNDS = { west: 116.55, south: 39.65, east: 116.95, north: 39.95 };
export const VIEW = { longitude: 116.75, latitude: 39.8, zoom: 10.2 };

const iso = (ms: number) => new Date(ms).toISOString();

function aggregate(key: AreaKey, open: number): AreaAggregate {
  const level = key.slice(0, key.indexOf(':')) as AreaAggregate['level'];
  return {
    key,
    level,
    tickets: {
      open,
      newToday: Math.round(open * 0.6),
      closedToday: Math.round(open * 0.4),
      overdue: Math.round(open * 0.1),
      nearDeadline: Math.round(open * 0.05),
      byCategory: { e_bike: Math.round(open * 0.3), heating: Math.round(open * 0.2) },
      responseRate: 0.9,
      resolutionRate: 0.8,
      satisfactionRate: 0.85,
      composite: 0.84,
      proactiveToday: 0,
      rolling24h: {
        proactive: 0,
        created: open,
        closed: Math.round(open * 0.7),
        responseRate: 0.9,
        resolutionRate: 0.8,
        satisfactionRate: 0.85,
        composite: 0.84,
        sample: NO_SAMPLE,
      },
      sample: NO_SAMPLE,
      ...longWindows(),
    },
    flood: { worstColor: 'none', inWarning: 0, checkpoints: 0, obstructionsOpen: 0, responseLevel: 'none' },
    patrol: { activeRangers: 0, lastPatrolAt: null, coverageToday: null, openIncidents: 0, lostSignal: 0 },
    zeroComplaintDays: 0,
  };
}

/** Everything the benchmark keeps on the "server" side: the state it emits deltas against. */
export interface SyntheticWorld {
  grid: LayerCollection<{ id: string }>;
  sites: SyntheticSite[];
  snapshot: Snapshot;
  /** Next delta, as the live state would emit it; `now` is the delta's time (ms). */
  nextDelta(now: number): Delta;
}

export function createWorld(
  size: SyntheticSize = FULL_SIZE,
  start = Date.UTC(2026, 6, 20, 6, 0, 0),
  seed = 7,
): SyntheticWorld {
  const draw = createRng(seed);
  const random = () => draw.next();
  const cols = Math.ceil(Math.sqrt(size.cells * 2));
  const rows = Math.ceil(size.cells / cols);
  const dx = (BOUNDS.east - BOUNDS.west) / cols;
  const dy = (BOUNDS.north - BOUNDS.south) / rows;
  const features: LayerCollection<{ id: string }>['features'] = [];
  for (let i = 0; i < size.cells; i++) {
    const x = BOUNDS.west + (i % cols) * dx;
    const y = BOUNDS.south + Math.floor(i / cols) * dy;
    features.push({
      type: 'Feature',
      properties: { id: `c${i}` },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [x, y],
            [x + dx, y],
            [x + dx, y + dy],
            [x, y + dy],
            [x, y],
          ],
        ],
      },
    });
  }
  const grid: LayerCollection<{ id: string }> = { type: 'FeatureCollection', features };
  const keys: AreaKey[] = [SCOPE, ...features.map((f): AreaKey => `grid:${f.properties.id}`)];
  const aggregates = new Map<AreaKey, AreaAggregate>(
    keys.map((k, i) => [k, aggregate(k, i === 0 ? size.tickets : Math.floor(random() * 40))]),
  );

  const lon = () => BOUNDS.west + random() * (BOUNDS.east - BOUNDS.west);
  const lat = () => BOUNDS.south + random() * (BOUNDS.north - BOUNDS.south);
  let ticketSerial = 0;
  const newTicket = (now: number): TicketObject => {
    const n = ticketSerial++;
    const category: TicketCategory = TICKET_CATEGORIES[n % TICKET_CATEGORIES.length]!;
    return {
      id: `T${n}`,
      category,
      urgency: n % 7 === 0 ? 'urgent' : 'normal',
      status: 'dispatched',
      title: '楼道内电动车充电',
      position: [lon(), lat()],
      place: { gridId: `c${n % size.cells}` },
      createdAt: iso(now - 3600_000),
      responseDueAt: iso(now + 3600_000),
      resolveDueAt: iso(now + 86_400_000),
      overdue: n % 10 === 0,
      nearDeadline: n % 20 === 0,
      escalatedTo: [],
    };
  };
  const tickets = new Map<string, TicketObject>();
  for (let i = 0; i < size.tickets; i++) {
    const t = newTicket(start);
    tickets.set(t.id, t);
  }

  const rangers = new Map<string, RangerObject>();
  for (let i = 0; i < size.rangers; i++) {
    let x = lon();
    let y = lat();
    const trail: TrailPoint[] = [];
    for (let t = start - TRAIL_MS; t <= start; t += FIX_MS) {
      x += (random() - 0.5) * 2e-4;
      y += (random() - 0.5) * 2e-4;
      trail.push([x, y, t]);
    }
    rangers.set(`R${i}`, {
      id: `R${i}`,
      patrolId: `P${i}`,
      clusterId: null,
      position: [x, y],
      trail,
      status: 'patrolling',
      lastSeen: iso(start),
      signalLost: false,
      battery: 80,
    });
  }

  const sites: SyntheticSite[] = [];
  const checkpoints = new Map<string, CheckpointObject>();
  const colors = ['none', 'blue', 'yellow', 'orange', 'red'] as const;
  const checkpointAt = (id: string, now: number): CheckpointObject => ({
    id,
    level: Math.round((18 + random() * 4) * 100) / 100,
    rainfall: Math.round(random() * 30),
    trend: 'rising',
    color: colors[Math.floor(random() * colors.length)]!,
    obstructionStatus: null,
    readingAt: iso(now),
    inspectedAt: null,
  });
  for (let i = 0; i < size.checkpoints; i++) {
    sites.push({ id: `K${i}`, position: [lon(), lat()] });
    checkpoints.set(`K${i}`, checkpointAt(`K${i}`, start));
  }

  let seq = 100_000;
  const snapshot: Snapshot = {
    seq,
    scope: SCOPE,
    at: iso(start),
    aggregates: [...aggregates.values()],
    tickets: [...tickets.values()],
    checkpoints: [...checkpoints.values()],
    rangers: [...rangers.values()],
    incidents: [],
    keys,
    trailMs: TRAIL_MS,
  };

  const cellKeys = keys.slice(1);
  function nextDelta(now: number): Delta {
    const fromSeq = seq;
    seq +=
      1 +
      DELTA_SHAPE.ticketsCreated +
      DELTA_SHAPE.ticketsUpdated +
      DELTA_SHAPE.ticketsClosed +
      DELTA_SHAPE.checkpoints +
      size.rangers;
    // Changed aggregates: new objects (the live state's own are replaced, not mutated, on the wire side).
    const changed = new Set<AreaKey>([SCOPE]);
    while (changed.size < Math.min(DELTA_SHAPE.patches, keys.length))
      changed.add(cellKeys[Math.floor(random() * cellKeys.length)]!);
    const changedAggregates = [...changed].map((key) => {
      const before = aggregates.get(key)!;
      const after = aggregate(key, Math.max(0, before.tickets.open + (random() < 0.5 ? -1 : 1)));
      aggregates.set(key, after);
      return after;
    });
    const upserts: TicketObject[] = [];
    const removals: string[] = [];
    const ids = [...tickets.keys()];
    for (let i = 0; i < DELTA_SHAPE.ticketsClosed; i++) {
      const id = ids[Math.floor(random() * ids.length)]!;
      if (tickets.delete(id)) removals.push(id);
    }
    for (let i = 0; i < DELTA_SHAPE.ticketsUpdated; i++) {
      const t = tickets.get(ids[Math.floor(random() * ids.length)]!);
      if (!t || removals.includes(t.id)) continue;
      const updated: TicketObject = { ...t, status: 'in_progress', nearDeadline: !t.nearDeadline };
      tickets.set(t.id, updated);
      upserts.push(updated);
    }
    for (let i = 0; i < DELTA_SHAPE.ticketsCreated; i++) {
      const t = newTicket(now);
      tickets.set(t.id, t);
      upserts.push(t);
    }
    const checkpointUpserts: CheckpointObject[] = [];
    for (let i = 0; i < Math.min(DELTA_SHAPE.checkpoints, sites.length); i++) {
      const c = checkpointAt(sites[Math.floor(random() * sites.length)]!.id, now);
      checkpoints.set(c.id, c);
      checkpointUpserts.push(c);
    }
    // Every ranger moves: one new fix each, trails trimmed to the window as the server keeps them.
    const rangerUpserts: RangerObject[] = [];
    for (const r of rangers.values()) {
      const last = r.trail[r.trail.length - 1]!;
      const point: TrailPoint = [
        last[0] + (random() - 0.5) * 2e-4,
        last[1] + (random() - 0.5) * 2e-4,
        Math.max(now, last[2] + 1),
      ];
      const trail = [...r.trail.filter((p) => p[2] >= point[2] - TRAIL_MS), point];
      const moved: RangerObject = { ...r, position: [point[0], point[1]], trail, lastSeen: iso(point[2]) };
      rangers.set(r.id, moved);
      rangerUpserts.push(moved);
    }
    return {
      fromSeq,
      toSeq: seq,
      scope: SCOPE,
      at: iso(now),
      aggregates: changedAggregates,
      tickets: { upserts, removals },
      checkpoints: { upserts: checkpointUpserts, removals: [] },
      rangers: { upserts: rangerUpserts, removals: [] },
    };
  }

  return { grid, sites, snapshot, nextDelta };
}
