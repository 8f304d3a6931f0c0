// The rule engine: watches the log (every folded batch) and the clock, and decides when an alert is raised,
// made worse (updated), resolved because its condition cleared, or escalated because nobody acknowledged it.
// Its decisions are alert events appended through the bus like any other event, so they are durable, ordered
// and folded by the AlertBook (alerts.ts) on every node.
//
// How it stays correct across retries, restarts and nodes:
// - Each rule keeps a condition per subject (a checkpoint, a grid cell …) in its own memory, a fold of the log;
//   `rebuild()` replays the log into that memory and decides nothing, `start()` then reconciles. Tickets are
//   read from the live state's records (its open tickets with their deadlines, folded before the rules): the
//   engine keeps only which of them it watches and when it looks at each next.
// - An alert's id is derived from the log (`flood_warning:<checkpoint>:<seq of the reading that crossed>`,
//   `ticket_overdue:<ticket>` …), so the same decision made twice (a retry, a second node, a restart) is the
//   same (source, id) and the store keeps it once.
// - One open alert per rule and subject: while the AlertBook holds one, the engine only updates or resolves it.
//   An alert a person resolved while its condition still holds is not raised again until the condition has
//   cleared and come back (a new episode).
//
// How it stays fast: a batch evaluates only the subjects its events touched; the clock pops ticket deadlines
// from a heap and scans only the short lists (active rangers, checkpoints in an episode, cells in a surge,
// forest clusters, alerts awaiting acknowledgement). Domain code: no driver, no Date.now() (the clock is given).
import { WARNING_ORDER, warningIndex, type AreaKey, type LevelThresholds } from '../contract/areas';
import {
  SEVERITY_RANK,
  type AlertEscalated,
  type AlertEvent,
  type AlertRaised,
  type AlertResolved,
  type AlertRule,
  type AlertSeverity,
  type AlertSubject,
  type AlertUpdated,
} from '../contract/alerts';
import { ALERT_KIND_PREFIX, type OpsEvent, type Place, type StoredEvent } from '../contract/events';
import type { Geo } from '../geo/load';
import { TimerHeap } from '../live/heap';
import type { OpenTicketRecord, OpenTicketRecords } from '../live/types';
import { DAY_MS, HOUR_MS, isoLocal, MINUTE_MS } from '../contract/time';
import type { AppendItem, AppendResult } from '../store/types';
import { alertSubjectKey, type AlertBook } from './alerts';
import type { AlertRuleOptions } from './options';

/** Refs are at most 128 characters (contract); longer derived ids keep their start and a hash of the whole. */
const MAX_REF = 128;

export interface RuleEngineDeps {
  geo: Pick<Geo, 'layers' | 'tree'>;
  book: AlertBook;
  /** The bus's append: alert events go into the same ordered log as everything else. */
  append: (items: AppendItem[]) => Promise<AppendResult[]>;
  now: () => number;
  options: AlertRuleOptions;
  /**
   * The live state's open tickets (live/types.ts), folded before the rules see a batch: their deadlines are
   * the live state's, so a ticket is near or overdue for both at once.
   */
  tickets: OpenTicketRecords;
  /** An append that failed (the store is down): the decision is made again on a later tick. */
  onError?: (error: unknown) => void;
}

export interface RuleEngine {
  /** Folds stored events into the rules' memory without deciding anything: the rebuild at start. */
  rebuild(events: readonly StoredEvent[]): void;
  /** Once after the rebuild: decides for every subject (what changed while the server was down). */
  start(): void;
  /** A live batch, after the AlertBook folded it: folds, then decides for the subjects it touched. */
  onBatch(events: readonly StoredEvent[]): void;
  /** The clock moved: deadlines, silences, clearing levels, escalation. */
  tick(): void;
  /** Resolves once every alert event appended so far is stored (tests, graceful close). */
  idle(): Promise<void>;
  /** Its memory for a keyframe, and back (live/keyframes.ts); decisions in flight are not part of it. */
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

interface RuleEngineSnapshot {
  checkpoints: Map<string, CheckpointMem>;
  clusters: Map<string, { id: string; name: string; townId: string; lastPatrolMs: number }>;
  /** Watched tickets by id: the records themselves are the live state's, restored before the rules. */
  ticketWatches: Map<string, { due: number; heapIndex: number }>;
  rangers: Map<string, RangerMem>;
  incidents: Map<string, IncidentMem>;
  cells: Map<string, CellMem>;
  surging: Set<string>;
  logStartMs: number;
  episodes: Map<string, string>;
}

/** What a subject's condition asks for: this alert, with this severity. */
interface Want {
  alertId: string;
  /** Ids chosen at the onset of the condition (surge, silence, gap): an open alert keeps its own id. */
  sticky: boolean;
  rule: AlertRule;
  severity: AlertSeverity;
  area: AreaKey;
  town: AreaKey | undefined;
  /** In Chinese, for the log, the notification channels and older clients; facts carry all of it for others. */
  title: string;
  facts?: Record<string, string | number>;
  subjects: AlertSubject[];
  location?: { lon: number; lat: number };
}

interface CheckpointMem {
  id: string;
  name: string;
  thresholds: LevelThresholds;
  townId: string;
  lon: number;
  lat: number;
  place: Place | undefined;
  level: number | null;
  readingMs: number;
  /** Seq of the reading that started the current episode (level at or above raiseAt); null: no episode. */
  crossSeq: number | null;
  /** Reading time since which the level has stayed below the clearing line; null: not below. */
  belowSinceMs: number | null;
}

/** An open ticket whose urgency has a deadline rule: its live record and when the engine looks at it next. */
interface TicketWatch {
  readonly rec: OpenTicketRecord;
  due: number;
  heapIndex: number;
}

interface RangerMem {
  id: string;
  clusterId: string | null;
  patrolling: boolean;
  lastSeenMs: number;
  lon: number | null;
  lat: number | null;
  place: Place | undefined;
}

interface IncidentMem {
  id: string;
  rangerId: string;
  place: Place | undefined;
  lon: number;
  lat: number;
  description: string;
  sos: boolean;
  /** The tracker that sent an SOS (OsmAnd / Traccar Client: the event's meta.deviceId). */
  deviceId: string | undefined;
}

interface CellMem {
  gridId: string;
  townId: string | undefined;
  /** Creation times of the cell's tickets within the baseline and the window, ascending. */
  times: number[];
  lastSeq: number;
}

/** Short, stable hash (FNV-1a, 32 bit) for ids longer than a Ref may be. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

export function ref(text: string): string {
  return text.length <= MAX_REF ? text : `${text.slice(0, MAX_REF - 9)}~${hash(text).padStart(7, '0')}`;
}

/** Index of the first element > x in an ascending array. */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createRuleEngine(deps: RuleEngineDeps): RuleEngine {
  const { book, options: o, geo } = deps;
  const tree = geo.tree;
  const onError =
    deps.onError ??
    ((e: unknown) =>
      queueMicrotask(() => {
        throw e;
      }));
  const raiseAt = WARNING_ORDER.indexOf(o.flood.raiseAt);

  const checkpoints = new Map<string, CheckpointMem>();
  for (const f of geo.layers.checkpoints.features) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates as [number, number];
    checkpoints.set(p.id, {
      id: p.id,
      name: p.name,
      thresholds: p.thresholds,
      townId: p.townId,
      lon,
      lat,
      place: undefined,
      level: null,
      readingMs: -Infinity,
      crossSeq: null,
      belowSinceMs: null,
    });
  }
  const clusters = new Map<string, { id: string; name: string; townId: string; lastPatrolMs: number }>();
  for (const f of geo.layers.forest.features) {
    const p = f.properties;
    clusters.set(p.id, { id: p.id, name: p.name, townId: p.townId, lastPatrolMs: -Infinity });
  }
  const watched = new Map<string, TicketWatch>();
  const ticketTimers = new TimerHeap<TicketWatch>();
  const rangers = new Map<string, RangerMem>();
  const incidents = new Map<string, IncidentMem>();
  const cells = new Map<string, CellMem>();
  /** Cells in a surge now (evaluated on the clock until it ends). */
  const surging = new Set<string>();
  /** Time of the first event of the log: the baseline and "not patrolled since" start there at the earliest. */
  let logStartMs = Infinity;

  /** Per rule+subject key: the alert of the current episode (raised, or on its way to the log). */
  const episodes = new Map<string, string>();
  /** Event keys appended and not yet answered by the store: the same decision is not sent twice meanwhile. */
  const inFlight = new Set<string>();
  let pending: Promise<unknown> = Promise.resolve();

  // ---- areas ----

  const known = (key: string): key is AreaKey => tree.nodes[key] !== undefined;
  const townKey = (townId: string | undefined): AreaKey | undefined => {
    const k = townId === undefined ? undefined : `town:${townId}`;
    return k !== undefined && known(k) ? k : undefined;
  };
  /** The most specific area among `levels` that the place names, else its town, else the district. */
  function areaOf(
    place: Place | undefined,
    levels: readonly ('grid' | 'forest' | 'property')[],
  ): { area: AreaKey; town: AreaKey | undefined } {
    const town = townKey(place?.townId);
    for (const level of levels) {
      const id = level === 'grid' ? place?.gridId : level === 'forest' ? place?.forestId : place?.propertyId;
      const k = id === undefined ? undefined : `${level}:${id}`;
      if (k !== undefined && known(k)) return { area: k, town };
    }
    return { area: town ?? (tree.root as AreaKey), town };
  }

  // ---- emitting ----

  function nowMs(): number {
    return deps.now();
  }

  function emit(events: AlertEvent[]): void {
    const fresh = events.filter((e) => !inFlight.has(`${e.source}|${e.id}`));
    if (fresh.length === 0) return;
    const keys = fresh.map((e) => `${e.source}|${e.id}`);
    for (const k of keys) inFlight.add(k);
    const receivedAt = new Date(nowMs()).toISOString();
    const step = deps
      .append(fresh.map((event) => ({ event, receivedAt })))
      .then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      .finally(() => {
        for (const k of keys) inFlight.delete(k);
      });
    pending = Promise.all([pending, step]);
  }

  const envelope = (id: string, alertId: string) => ({
    id: ref(id),
    time: isoLocal(nowMs()),
    source: 'rules' as const,
    alertId,
  });

  function raise(w: Want): void {
    const e: AlertRaised = {
      ...envelope(w.alertId, w.alertId),
      kind: 'alert.raised',
      rule: w.rule,
      severity: w.severity,
      area: w.area,
      level: w.town !== undefined ? 'town' : 'district',
      title: w.title.slice(0, 200),
      subjects: w.subjects,
    };
    if (w.town !== undefined) e.town = w.town;
    if (w.facts !== undefined) e.facts = w.facts;
    if (w.location !== undefined) e.location = w.location;
    emit([e]);
  }

  function resolve(alertId: string, why: string): void {
    const e: AlertResolved = { ...envelope(`${alertId}:resolved`, alertId), kind: 'alert.resolved', note: why };
    emit([e]);
  }

  /**
   * Brings the alerts of one rule and subject in line with its condition: raise, update (only ever worse),
   * resolve, or nothing. `want` null: the condition does not hold.
   */
  function reconcile(key: string, want: Want | null, clearedWhy = 'condition cleared'): void {
    const open = book.activeFor(key);
    if (want === null) {
      episodes.delete(key);
      if (open) resolve(open.id, clearedWhy);
      return;
    }
    let alertId = want.alertId;
    if (want.sticky) alertId = open?.id ?? episodes.get(key) ?? want.alertId;
    if (open && open.id !== alertId) {
      // An earlier episode's alert is still open (its clearing was missed): close it before the new one.
      resolve(open.id, 'superseded by a new alert of the same rule');
    } else if (open) {
      episodes.set(key, open.id);
      if (SEVERITY_RANK[want.severity] > SEVERITY_RANK[open.severity]) {
        const e: AlertUpdated = {
          ...envelope(`${open.id}:${want.severity}`, open.id),
          kind: 'alert.updated',
          severity: want.severity,
          title: want.title.slice(0, 200),
        };
        if (want.facts !== undefined) e.facts = want.facts;
        emit([e]);
      }
      return;
    }
    // Raised already in this episode: on its way to the log, or resolved by a person while the condition holds.
    if (episodes.get(key) === alertId || book.get(alertId)) {
      episodes.set(key, alertId);
      return;
    }
    episodes.set(key, alertId);
    raise({ ...want, alertId });
  }

  // ---- the rules: each computes what its condition wants now ----

  function floodKey(cp: CheckpointMem): string {
    return alertSubjectKey('flood_warning', { kind: 'checkpoint', id: cp.id });
  }

  /** Ends the checkpoint's episode when the level has stayed below the clearing line long enough. */
  function floodCleared(cp: CheckpointMem, at: number): void {
    if (cp.crossSeq === null || cp.belowSinceMs === null) return;
    if (Math.max(at, cp.readingMs) - cp.belowSinceMs >= o.flood.clearAfterMin * MINUTE_MS) {
      cp.crossSeq = null;
      cp.belowSinceMs = null;
    }
  }

  function floodWant(cp: CheckpointMem): Want | null {
    if (cp.crossSeq === null || cp.level === null) return null;
    const color = Math.max(warningIndex(cp.thresholds, cp.level), raiseAt);
    const colorName = WARNING_ORDER[color] as 'blue' | 'yellow' | 'orange' | 'red';
    const { area, town } = areaOf(cp.place ?? { townId: cp.townId }, ['grid']);
    return {
      alertId: ref(`flood_warning:${cp.id}:${cp.crossSeq}`),
      sticky: false,
      rule: 'flood_warning',
      severity: o.flood.severity[colorName],
      area,
      town,
      title: `${cp.name} 水位 ${cp.level.toFixed(2)} m，达${COLOR_ZH[colorName]}预警`,
      facts: { checkpoint: cp.name, level: cp.level, color: colorName, threshold: cp.thresholds[o.flood.raiseAt] },
      subjects: [{ kind: 'checkpoint', id: cp.id }],
      location: { lon: cp.lon, lat: cp.lat },
    };
  }

  function ticketWants(t: OpenTicketRecord, at: number): [string, Want | null][] {
    const overdue = at > t.resolveDueMs;
    const near = !overdue && at > t.nearMs;
    const { area, town } = areaOf(t.place, ['grid']);
    const subjects: AlertSubject[] = [{ kind: 'ticket', id: t.id }];
    const base = { sticky: false, area, town, subjects, location: { lon: t.lon, lat: t.lat } };
    const nearSev = o.ticketNearDeadline[t.urgency];
    const overSev = o.ticketOverdue[t.urgency];
    const due = isoLocal(t.resolveDueMs);
    return [
      [
        alertSubjectKey('ticket_near_deadline', subjects[0]!),
        near && nearSev
          ? {
              ...base,
              alertId: ref(`ticket_near_deadline:${t.id}`),
              rule: 'ticket_near_deadline',
              severity: nearSev,
              title: `工单临近办结时限：${t.title}`,
              facts: { ticketTitle: fact(t.title), urgency: t.urgency, resolveDueAt: due },
            }
          : null,
      ],
      [
        alertSubjectKey('ticket_overdue', subjects[0]!),
        overdue && overSev
          ? {
              ...base,
              alertId: ref(`ticket_overdue:${t.id}`),
              rule: 'ticket_overdue',
              severity: overSev,
              title: `工单已超期：${t.title}`,
              facts: { ticketTitle: fact(t.title), urgency: t.urgency, resolveDueAt: due },
            }
          : null,
      ],
    ];
  }

  function decideTicket(w: TicketWatch, at: number): void {
    const t = w.rec;
    const overdue = at > t.resolveDueMs;
    for (const [key, want] of ticketWants(t, at)) {
      reconcile(key, want, key.startsWith('ticket_near_deadline') && overdue ? 'now overdue' : 'condition cleared');
    }
    // Next transition: near, then overdue; after that nothing changes until the ticket closes.
    let due = Infinity;
    if (o.ticketNearDeadline[t.urgency] && !(at > t.nearMs)) due = t.nearMs;
    else if (!overdue) due = t.resolveDueMs;
    ticketTimers.schedule(w, due);
  }

  /** The ticket closed (no longer watched): its alerts have nothing left to watch. */
  function closeTicket(id: string): void {
    for (const rule of ['ticket_near_deadline', 'ticket_overdue'] as const) {
      reconcile(alertSubjectKey(rule, { kind: 'ticket', id }), null, 'ticket closed');
    }
  }

  function surgeCount(c: CellMem, at: number): { count: number; baseline: number; needed: number } {
    const windowMs = o.ticketSurge.windowMin * MINUTE_MS;
    const windowStart = at - windowMs;
    const count = upperBound(c.times, at) - upperBound(c.times, windowStart);
    const baseStart = Math.max(windowStart - o.ticketSurge.baselineDays * DAY_MS, logStartMs);
    const span = windowStart - baseStart;
    // Less history than one window says nothing about the cell's normal rate: the floor alone decides then.
    const baseline =
      span >= windowMs ? ((upperBound(c.times, windowStart) - upperBound(c.times, baseStart)) * windowMs) / span : 0;
    return { count, baseline, needed: Math.max(o.ticketSurge.minCount, o.ticketSurge.factor * baseline) };
  }

  function decideCell(c: CellMem, at: number): void {
    // Times older than the baseline can never count again.
    const oldest = at - o.ticketSurge.windowMin * MINUTE_MS - o.ticketSurge.baselineDays * DAY_MS;
    const drop = upperBound(c.times, oldest);
    if (drop > 0) c.times.splice(0, drop);
    const { count, baseline, needed } = surgeCount(c, at);
    const key = alertSubjectKey('ticket_surge', { kind: 'grid', id: c.gridId });
    if (count < needed) {
      surging.delete(c.gridId);
      reconcile(key, null);
      return;
    }
    surging.add(c.gridId);
    const { area, town } = areaOf({ ...(c.townId !== undefined ? { townId: c.townId } : {}), gridId: c.gridId }, [
      'grid',
    ]);
    reconcile(key, {
      alertId: ref(`ticket_surge:${c.gridId}:${c.lastSeq}`),
      sticky: true,
      rule: 'ticket_surge',
      severity: o.ticketSurge.severity,
      area,
      town,
      title: `网格工单激增：${o.ticketSurge.windowMin} 分钟内 ${count} 件`,
      facts: { count, baseline: Math.round(baseline * 100) / 100, windowMin: o.ticketSurge.windowMin },
      subjects: [{ kind: 'grid', id: c.gridId }],
    });
  }

  function decideCluster(cl: { id: string; name: string; townId: string; lastPatrolMs: number }, at: number): void {
    const since = Math.max(cl.lastPatrolMs, logStartMs);
    const key = alertSubjectKey('forest_unpatrolled', { kind: 'forest', id: cl.id });
    if (!Number.isFinite(since) || at - since < o.forestUnpatrolled.afterHours * HOUR_MS) {
      reconcile(key, null, 'patrolled again');
      return;
    }
    const hours = Math.floor((at - since) / HOUR_MS);
    const forestKey = `forest:${cl.id}`;
    reconcile(key, {
      alertId: ref(`forest_unpatrolled:${cl.id}:${since}`),
      sticky: true,
      rule: 'forest_unpatrolled',
      severity: o.forestUnpatrolled.severity,
      area: known(forestKey) ? forestKey : (townKey(cl.townId) ?? (tree.root as AreaKey)),
      town: townKey(cl.townId),
      title: `${cl.name} 已 ${hours} 小时无人巡护`,
      facts: { cluster: cl.name, hours, since: isoLocal(since) },
      subjects: [{ kind: 'forest', id: cl.id }],
    });
  }

  function decideRanger(r: RangerMem, at: number): void {
    const key = alertSubjectKey('ranger_signal_lost', { kind: 'ranger', id: r.id });
    if (!r.patrolling || at - r.lastSeenMs < o.rangerSignalLost.afterMin * MINUTE_MS) {
      reconcile(key, null, r.patrolling ? 'signal back' : 'patrol ended');
      return;
    }
    const place: Place | undefined =
      r.clusterId !== null ? { ...(r.place ?? {}), forestId: r.clusterId, ...townOfCluster(r.clusterId) } : r.place;
    const { area, town } = areaOf(place, ['forest', 'grid']);
    const minutes = Math.floor((at - r.lastSeenMs) / MINUTE_MS);
    const w: Want = {
      alertId: ref(`ranger_signal_lost:${r.id}:${r.lastSeenMs}`),
      sticky: true,
      rule: 'ranger_signal_lost',
      severity: o.rangerSignalLost.severity,
      area,
      town,
      title: `护林员 ${r.id} 已 ${minutes} 分钟无信号`,
      facts: { rangerId: r.id, minutes, lastSeen: isoLocal(r.lastSeenMs) },
      subjects: [{ kind: 'ranger', id: r.id }],
    };
    if (r.lon !== null && r.lat !== null) w.location = { lon: r.lon, lat: r.lat };
    reconcile(key, w);
  }

  function townOfCluster(id: string): { townId?: string } {
    const cl = clusters.get(id);
    return cl ? { townId: cl.townId } : {};
  }

  function decideIncident(id: string): void {
    const i = incidents.get(id);
    const sosKey = alertSubjectKey('ranger_sos', { kind: 'incident', id });
    const key = alertSubjectKey('fire_risk', { kind: 'incident', id });
    if (!i) {
      reconcile(sosKey, null, 'incident resolved');
      reconcile(key, null, 'incident resolved');
      return;
    }
    const { area, town } = areaOf(i.place, ['forest', 'grid']);
    if (i.sos) {
      // A ranger in danger: always the highest severity, whatever the fire-risk setting.
      reconcile(sosKey, {
        alertId: ref(`ranger_sos:${i.id}`),
        sticky: false,
        rule: 'ranger_sos',
        severity: 'severe',
        area,
        town,
        title: `SOS：${i.description}`,
        facts: {
          rangerId: i.rangerId,
          description: fact(i.description),
          ...(i.deviceId !== undefined ? { deviceId: fact(i.deviceId) } : {}),
        },
        subjects: [
          { kind: 'incident', id: i.id },
          { kind: 'ranger', id: i.rangerId },
        ],
        location: { lon: i.lon, lat: i.lat },
      });
      return;
    }
    reconcile(key, {
      alertId: ref(`fire_risk:${i.id}`),
      sticky: false,
      rule: 'fire_risk',
      severity: o.fireRisk.severity,
      area,
      town,
      title: `火险：${i.description}`,
      facts: { rangerId: i.rangerId, description: fact(i.description) },
      subjects: [{ kind: 'incident', id: i.id }],
      location: { lon: i.lon, lat: i.lat },
    });
  }

  // ---- folding: the rules' memory, a function of the log ----

  /** Subjects a batch touched, decided after the whole batch is folded. */
  interface Touched {
    checkpoints: Set<CheckpointMem>;
    tickets: Set<TicketWatch>;
    closedTickets: Set<string>;
    cells: Set<CellMem>;
    clusters: Set<string>;
    rangers: Set<RangerMem>;
    incidents: Set<string>;
  }
  const touchedNone = (): Touched => ({
    checkpoints: new Set(),
    tickets: new Set(),
    closedTickets: new Set(),
    cells: new Set(),
    clusters: new Set(),
    rangers: new Set(),
    incidents: new Set(),
  });

  function ranger(id: string): RangerMem {
    let r = rangers.get(id);
    if (!r) {
      r = { id, clusterId: null, patrolling: false, lastSeenMs: -Infinity, lon: null, lat: null, place: undefined };
      rangers.set(id, r);
    }
    return r;
  }

  function patrolled(clusterId: string | null | undefined, ms: number, t: Touched): void {
    if (!clusterId) return;
    const cl = clusters.get(clusterId);
    if (cl && ms > cl.lastPatrolMs) {
      cl.lastPatrolMs = ms;
      t.clusters.add(clusterId);
    }
  }

  function fold(s: StoredEvent, t: Touched): void {
    const e = s.event;
    if (e.kind.startsWith(ALERT_KIND_PREFIX)) return;
    const ev = e as OpsEvent;
    const ms = Date.parse(ev.time);
    if (Number.isNaN(ms)) return;
    if (ms < logStartMs) logStartMs = ms;
    switch (ev.kind) {
      case 'ticket.created': {
        if (watched.has(ev.ticketId)) return;
        const gridId = s.place?.gridId;
        if (gridId !== undefined) {
          let c = cells.get(gridId);
          if (!c) {
            c = { gridId, townId: s.place?.townId, times: [], lastSeq: 0 };
            cells.set(gridId, c);
          }
          const i = upperBound(c.times, ms);
          c.times.splice(i, 0, ms);
          c.lastSeq = s.seq;
          t.cells.add(c);
        }
        // The live state folded the batch already: a ticket it no longer holds open closed within the batch.
        const rec = deps.tickets.openTicket(ev.ticketId);
        if (!rec || (!o.ticketNearDeadline[rec.urgency] && !o.ticketOverdue[rec.urgency])) return;
        const w: TicketWatch = { rec, due: Infinity, heapIndex: -1 };
        watched.set(rec.id, w);
        t.tickets.add(w);
        return;
      }
      case 'ticket.updated':
      case 'ticket.closed': {
        if (ev.kind === 'ticket.updated' && ev.status !== 'closed') return;
        const w = watched.get(ev.ticketId);
        if (!w) return;
        ticketTimers.cancel(w);
        watched.delete(ev.ticketId);
        t.closedTickets.add(ev.ticketId);
        return;
      }
      case 'flood.reading': {
        const cp = checkpoints.get(ev.checkpointId);
        if (!cp || ms < cp.readingMs) return; // a late reading does not move the level back
        cp.readingMs = ms;
        cp.level = ev.level;
        if (s.place) cp.place = s.place;
        const th = cp.thresholds[o.flood.raiseAt];
        if (cp.crossSeq === null) {
          if (ev.level >= th) {
            cp.crossSeq = s.seq;
            cp.belowSinceMs = null;
          }
        } else if (ev.level < th - o.flood.clearMarginM) {
          cp.belowSinceMs ??= ms;
          floodCleared(cp, ms);
        } else {
          cp.belowSinceMs = null;
        }
        t.checkpoints.add(cp);
        return;
      }
      case 'patrol.started': {
        const r = ranger(ev.rangerId);
        r.patrolling = true;
        r.clusterId = ev.clusterId;
        r.lastSeenMs = Math.max(r.lastSeenMs, ms);
        if (ev.location) {
          r.lon = ev.location.lon;
          r.lat = ev.location.lat;
          r.place = s.place;
        }
        patrolled(ev.clusterId, ms, t);
        t.rangers.add(r);
        return;
      }
      case 'patrol.position':
      case 'patrol.checkin': {
        const r = ranger(ev.rangerId);
        if (ms >= r.lastSeenMs) {
          r.lastSeenMs = ms;
          if (ev.location) {
            r.lon = ev.location.lon;
            r.lat = ev.location.lat;
            r.place = s.place;
          }
        }
        if (r.patrolling) patrolled(r.clusterId, ms, t);
        patrolled(s.place?.forestId, ms, t);
        t.rangers.add(r);
        return;
      }
      case 'patrol.device_status': {
        // A heartbeat or an unplaceable report: the phone is alive (no 'signal lost'), its position unchanged.
        const r = ranger(ev.rangerId);
        if (ms >= r.lastSeenMs) r.lastSeenMs = ms;
        if (r.patrolling) patrolled(r.clusterId, ms, t);
        t.rangers.add(r);
        return;
      }
      case 'patrol.ended': {
        const r = rangers.get(ev.rangerId);
        if (!r) return;
        patrolled(r.clusterId, ms, t);
        r.patrolling = false;
        r.lastSeenMs = Math.max(r.lastSeenMs, ms);
        t.rangers.add(r);
        return;
      }
      case 'patrol.incident': {
        const r = ranger(ev.rangerId);
        r.lastSeenMs = Math.max(r.lastSeenMs, ms);
        t.rangers.add(r);
        if ((ev.type !== 'fire_risk' && ev.type !== 'sos') || incidents.has(ev.incidentId)) return;
        incidents.set(ev.incidentId, {
          sos: ev.type === 'sos',
          id: ev.incidentId,
          rangerId: ev.rangerId,
          place: s.place,
          lon: ev.location.lon,
          lat: ev.location.lat,
          description: ev.description,
          deviceId: typeof ev.meta?.deviceId === 'string' ? ev.meta.deviceId : undefined,
        });
        t.incidents.add(ev.incidentId);
        return;
      }
      case 'patrol.incident_resolved':
        if (incidents.delete(ev.incidentId)) t.incidents.add(ev.incidentId);
        return;
      default:
        return;
    }
  }

  function decide(t: Touched, at: number): void {
    for (const cp of t.checkpoints) {
      floodCleared(cp, at);
      reconcile(floodKey(cp), floodWant(cp), 'level back below the clearing line');
    }
    for (const w of t.tickets) if (watched.get(w.rec.id) === w) decideTicket(w, at);
    for (const id of t.closedTickets) if (!watched.has(id)) closeTicket(id);
    for (const c of t.cells) decideCell(c, at);
    for (const id of t.clusters) decideCluster(clusters.get(id)!, at);
    for (const r of t.rangers) decideRanger(r, at);
    for (const id of t.incidents) decideIncident(id);
  }

  function escalate(at: number): void {
    for (const a of book.active()) {
      if (a.status !== 'open' || a.level !== 'town') continue;
      const after = o.escalateAfterMin[a.severity];
      if (after === null) continue;
      const raisedMs = Date.parse(a.raisedAt);
      if (at - raisedMs < after * MINUTE_MS) continue;
      const e: AlertEscalated = {
        ...envelope(`${a.id}:escalated`, a.id),
        kind: 'alert.escalated',
        from: 'town',
        to: 'district',
        waitedMin: Math.round((at - raisedMs) / MINUTE_MS),
      };
      emit([e]);
    }
  }

  let started = false;

  return {
    snapshotState() {
      const ticketWatches = new Map<string, { due: number; heapIndex: number }>();
      for (const [id, w] of watched) ticketWatches.set(id, { due: w.due, heapIndex: w.heapIndex });
      return {
        checkpoints,
        clusters,
        ticketWatches,
        rangers,
        incidents,
        cells,
        surging,
        logStartMs,
        episodes,
      } satisfies RuleEngineSnapshot;
    },

    restoreState(data) {
      const s = data as RuleEngineSnapshot;
      const refill = <K, V>(into: Map<K, V>, from: Map<K, V>) => {
        into.clear();
        for (const [k, v] of from) into.set(k, v);
      };
      refill(checkpoints, s.checkpoints);
      refill(clusters, s.clusters);
      // The heap's array again from each watch's place in it; a ticket the live state does not hold open (a
      // keyframe of another fold) is not watched.
      watched.clear();
      const heap: TicketWatch[] = [];
      let whole = true;
      for (const [id, { due, heapIndex }] of s.ticketWatches) {
        const rec = deps.tickets.openTicket(id);
        if (!rec) {
          whole = false;
          continue;
        }
        const w: TicketWatch = { rec, due, heapIndex };
        watched.set(id, w);
        if (heapIndex >= 0) heap[heapIndex] = w;
      }
      if (whole) ticketTimers.restore(heap);
      else {
        ticketTimers.restore([]);
        for (const w of watched.values()) {
          const due = w.due;
          w.due = Infinity;
          w.heapIndex = -1;
          ticketTimers.schedule(w, due);
        }
      }
      refill(rangers, s.rangers);
      refill(incidents, s.incidents);
      refill(cells, s.cells);
      surging.clear();
      for (const id of s.surging) surging.add(id);
      logStartMs = s.logStartMs;
      refill(episodes, s.episodes);
    },

    rebuild(events) {
      const t = touchedNone();
      for (const s of events) fold(s, t);
    },

    start() {
      if (started) return;
      started = true;
      const at = nowMs();
      const all: Touched = {
        checkpoints: new Set(
          [...checkpoints.values()].filter((cp) => cp.crossSeq !== null || book.activeFor(floodKey(cp))),
        ),
        tickets: new Set(watched.values()),
        closedTickets: new Set(),
        cells: new Set(cells.values()),
        clusters: new Set(clusters.keys()),
        rangers: new Set(rangers.values()),
        incidents: new Set(incidents.keys()),
      };
      decide(all, at);
      escalate(at);
    },

    onBatch(events) {
      const t = touchedNone();
      for (const s of events) fold(s, t);
      if (!started) return;
      decide(t, nowMs());
    },

    tick() {
      if (!started) return;
      const at = nowMs();
      while (ticketTimers.size > 0 && ticketTimers.nextDue() < at) decideTicket(ticketTimers.pop()!, at);
      for (const cp of checkpoints.values()) {
        if (cp.crossSeq === null || cp.belowSinceMs === null) continue;
        floodCleared(cp, at);
        if (cp.crossSeq === null) reconcile(floodKey(cp), null, 'level back below the clearing line');
      }
      for (const id of surging) decideCell(cells.get(id)!, at);
      for (const r of rangers.values()) if (r.patrolling) decideRanger(r, at);
      for (const cl of clusters.values()) decideCluster(cl, at);
      escalate(at);
    },

    async idle() {
      // Appends started while waiting are chained onto `pending`; wait until it stops growing.
      for (;;) {
        const p = pending;
        await p;
        if (p === pending) return;
      }
    },
  };
}

const COLOR_ZH = { blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' } as const;

/** A text fact within the contract's limit (200 characters), like the title it stands beside. */
const fact = (text: string): string => text.slice(0, 200);
