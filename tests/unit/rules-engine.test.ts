// The alert rules in simulated time: a pinned clock the tests move, the real geography, a memory store and the
// in-process bus, so every decision goes through the log exactly as in the server.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALERT_RULES, type Alert, type AlertEvent } from '../../server/contract/alerts';
import { createI18n } from '../../client/i18n';
import { alertTitle } from '../../client/panels/alert-title';
import type { OpsEvent, Place, StoredEvent } from '../../server/contract/events';
import { createInProcessBus } from '../../server/bus/in-process';
import type { EventBus } from '../../server/bus/types';
import { interiorPoint } from '../../server/geo/interior';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator, type Locator } from '../../server/geo/locate';
import { DEFAULT_URGENCY_DEADLINES } from '../../server/contract/config-defaults';
import { createAlertBook, type AlertBook } from '../../server/rules/alerts';
import { createRuleEngine, type RuleEngine } from '../../server/rules/engine';
import { DEFAULT_ALERT_RULE_OPTIONS, resolveAlertRuleOptions, type AlertRuleOptions } from '../../server/rules/options';
import { createLiveState } from '../../server/live/state';
import type { LiveFold } from '../../server/live/types';
import { createMemoryStore } from '../../server/store/memory';
import type { EventStore } from '../../server/store/types';
import { GEO_DIR } from '../helpers/paths';

let geo: Geo;
let locator: Locator;

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2025-07-20T08:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString();
type Bare<T> = T extends unknown ? Omit<T, 'id' | 'source'> : never;
type Action<T> = T extends unknown ? Omit<T, 'id' | 'source' | 'time'> : never;

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  locator = createLocator(geo);
});

/** One server's worth of alerting over a store: book, engine and bus, with the clock in the test's hands. */
class World {
  now = T0;
  readonly bus: EventBus;
  book!: AlertBook;
  live!: LiveFold;
  engine!: RuleEngine;
  private n = 0;
  /** Event ids unique per world, so that two worlds on one log (a restart) do not collide. */
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  constructor(
    readonly store: EventStore = createMemoryStore(),
    readonly options: AlertRuleOptions = DEFAULT_ALERT_RULE_OPTIONS,
    bus?: EventBus,
  ) {
    this.bus = bus ?? createInProcessBus(store);
  }

  /** Rebuilds book and engine from the log (as the server does at start), then follows the bus. */
  async boot(): Promise<this> {
    this.book = createAlertBook();
    // The live state the engine reads its tickets from, with the deadlines of the server's defaults.
    this.live = createLiveState(geo, { deadlines: DEFAULT_URGENCY_DEADLINES, nearDeadlineFraction: 0.8 }, this.now);
    this.engine = this.newEngine();
    const past = await this.store.read(0, 1_000_000);
    this.book.apply(past);
    this.live.apply(past);
    this.engine.rebuild(past);
    this.engine.start();
    this.bus.subscribe(past.length > 0 ? past[past.length - 1]!.seq : 0, (events) => {
      this.book.apply(events);
      this.live.apply(events);
      this.engine.onBatch(events);
    });
    await this.settle();
    return this;
  }

  /** An engine over this world's book, live state, bus and clock (boot's, or one restored from a snapshot). */
  newEngine(): RuleEngine {
    return createRuleEngine({
      geo,
      book: this.book,
      append: (items) => this.bus.append(items),
      now: () => this.now,
      options: this.options,
      tickets: this.live,
      onError: (e) => {
        throw e;
      },
    });
  }

  async settle(): Promise<void> {
    // An append can lead to another decision (a fold, then a tick's answer): settle until nothing is pending.
    for (let i = 0; i < 5; i++) await this.engine.idle();
  }

  /** Posts producer events (timed at the clock unless they say otherwise), located as ingest would. */
  async post(...events: Bare<OpsEvent>[]): Promise<void> {
    const items = events.map((e) => {
      const event = { ...e, id: `${this.prefix}-e${++this.n}`, source: 'simulator' } as OpsEvent;
      let place: Place | undefined;
      if ('location' in event && event.location)
        place = locator.locate(event.location.lon, event.location.lat) ?? undefined;
      if ('checkpointId' in event) {
        const f = geo.layers.checkpoints.features.find((x) => x.properties.id === event.checkpointId)!;
        const [lon, lat] = f.geometry.coordinates as [number, number];
        place = locator.locate(lon, lat) ?? { townId: f.properties.townId };
      }
      return place ? { event, receivedAt: iso(this.now), place } : { event, receivedAt: iso(this.now) };
    });
    await this.bus.append(items);
    await this.settle();
  }

  /** Moves the clock to `ms` and lets the engine tick. */
  async at(ms: number): Promise<void> {
    this.now = ms;
    this.live.advance(ms);
    this.engine.tick();
    this.book.advance(ms);
    await this.settle();
  }

  /** A person's action on an alert (what the routes append). */
  async act(event: Action<AlertEvent>): Promise<void> {
    await this.bus.append([
      {
        event: { id: `${this.prefix}-c${++this.n}`, time: iso(this.now), source: 'console', ...event } as AlertEvent,
        receivedAt: iso(this.now),
      },
    ]);
    await this.settle();
  }

  alerts(rule?: Alert['rule']): Alert[] {
    return this.book.list(geo.tree, geo.tree.root as never).filter((a) => rule === undefined || a.rule === rule);
  }

  async alertEvents(): Promise<AlertEvent[]> {
    const all: StoredEvent[] = await this.store.read(0, 1_000_000);
    return all.map((s) => s.event).filter((e): e is AlertEvent => e.kind.startsWith('alert.'));
  }
}

const officer = { id: 'duty1', name: '值班员甲', role: 'officer' as const };

/**
 * The defaults, but forest clusters may go a month unpatrolled: tests that move the clock by days and post no
 * patrols would otherwise see every cluster alert and test that rule instead of their own.
 */
function withoutForest(over: Record<string, unknown> = {}): AlertRuleOptions {
  const r = resolveAlertRuleOptions({ forestUnpatrolled: { afterHours: 720 }, ...over });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.options;
}

function spotIn(layer: 'grid' | 'forest', id: string): { lon: number; lat: number } {
  const f = geo.layers[layer].features.find((x) => x.properties.id === id)!;
  const [lon, lat] = interiorPoint(f.geometry as never);
  return { lon, lat };
}

const incident = (incidentId: string, time: number, type: 'fire_risk' | 'pests' = 'fire_risk'): Bare<OpsEvent> => {
  const cluster = geo.layers.forest.features[0]!;
  const [lon, lat] = interiorPoint(cluster.geometry as never);
  return {
    kind: 'patrol.incident',
    time: iso(time),
    rangerId: 'r-1',
    incidentId,
    type,
    severity: 'high',
    description: '林下可燃物堆积，有烟点',
    location: { lon, lat },
  };
};

describe('fire risk', () => {
  it('raises a severe alert at once for a fire-risk incident, and only for that type; resolving the incident resolves it', async () => {
    const w = await new World().boot();
    await w.post(incident('inc-1', T0), incident('inc-2', T0, 'pests'));
    const [alert, ...rest] = w.alerts('fire_risk');
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      id: 'fire_risk:inc-1',
      severity: 'severe',
      status: 'open',
      level: 'town',
      subjects: [{ kind: 'incident', id: 'inc-1' }],
    });
    const cluster = geo.layers.forest.features[0]!.properties;
    expect(alert!.area).toBe(`forest:${cluster.id}`);
    expect(alert!.town).toBe(`town:${cluster.townId}`);
    await w.post({ kind: 'patrol.incident_resolved', time: iso(T0 + MIN), incidentId: 'inc-1' });
    expect(w.alerts('fire_risk')[0]).toMatchObject({ status: 'resolved' });
  });
});

describe('flood warning with hysteresis', () => {
  const cpId = 'cp-beiyun-01';
  let yellow: number;
  let orange: number;
  beforeAll(() => {
    const th = geo.layers.checkpoints.features.find((f) => f.properties.id === cpId)!.properties.thresholds;
    yellow = th.yellow;
    orange = th.orange;
  });
  const reading = (level: number, time: number): Bare<OpsEvent> => ({
    kind: 'flood.reading',
    time: iso(time),
    checkpointId: cpId,
    level,
  });

  it('raises once when the level crosses yellow, however it oscillates, turns severe at orange, clears only 0.10 m below for 30 min', async () => {
    const w = await new World().boot();
    await w.post(reading(yellow - 0.01, T0));
    expect(w.alerts('flood_warning')).toEqual([]);
    await w.post(reading(yellow, T0 + 5 * MIN));
    const raised = w.alerts('flood_warning');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      severity: 'warning',
      status: 'open',
      subjects: [{ kind: 'checkpoint', id: cpId }],
    });
    // The id names the reading that crossed: the second event of this log.
    expect(raised[0]!.id).toBe(`flood_warning:${cpId}:2`);

    // Around the threshold, even 9 cm below it: no new alert, no clearing.
    let t = T0 + 5 * MIN;
    for (const d of [-0.02, 0.01, -0.09, 0.03, -0.05, 0.0]) {
      t += 5 * MIN;
      w.now = t;
      await w.post(reading(yellow + d, t));
    }
    expect(w.alerts('flood_warning')).toHaveLength(1);
    expect(w.alerts('flood_warning')[0]!.status).toBe('open');

    t += 5 * MIN;
    w.now = t;
    await w.post(reading(orange + 0.01, t));
    expect(w.alerts('flood_warning')[0]).toMatchObject({ severity: 'severe', id: `flood_warning:${cpId}:2` });

    // Below the clearing line (yellow − 0.10) from `below` on; cleared once 30 minutes have passed.
    const below = t + 5 * MIN;
    w.now = below;
    await w.post(reading(yellow - 0.11, below));
    await w.at(below + 30 * MIN - 1000);
    expect(w.alerts('flood_warning')[0]!.status).toBe('open');
    await w.at(below + 30 * MIN);
    expect(w.alerts('flood_warning')[0]).toMatchObject({ status: 'resolved' });
    const events = await w.alertEvents();
    // Nobody acknowledged it: it also went to the district after 30 min (a warning when raised).
    expect(events.map((e) => e.kind)).toEqual(['alert.raised', 'alert.updated', 'alert.escalated', 'alert.resolved']);

    // A new crossing is a new episode: a second alert with its own id.
    const again = below + 40 * MIN;
    w.now = again;
    await w.post(reading(yellow + 0.02, again));
    const alerts = w.alerts('flood_warning');
    expect(alerts).toHaveLength(2);
    expect(alerts.filter((a) => a.status === 'open')).toHaveLength(1);
  });

  it('a reading back above the clearing line restarts the 30 minutes', async () => {
    const w = await new World().boot();
    await w.post(reading(yellow + 0.05, T0));
    w.now = T0 + 10 * MIN;
    await w.post(reading(yellow - 0.2, T0 + 10 * MIN));
    w.now = T0 + 25 * MIN;
    await w.post(reading(yellow - 0.05, T0 + 25 * MIN)); // inside the margin: not cleared
    w.now = T0 + 30 * MIN;
    await w.post(reading(yellow - 0.2, T0 + 30 * MIN));
    await w.at(T0 + 55 * MIN);
    expect(w.alerts('flood_warning')[0]!.status).toBe('open');
    await w.at(T0 + 60 * MIN);
    expect(w.alerts('flood_warning')[0]!.status).toBe('resolved');
  });
});

describe('ticket deadlines', () => {
  const spot = () => spotIn('grid', geo.layers.grid.features[0]!.properties.id);
  const created = (ticketId: string, urgency: 'urgent' | 'normal' | 'low', time: number): Bare<OpsEvent> => ({
    kind: 'ticket.created',
    time: iso(time),
    ticketId,
    category: 'heating',
    urgency,
    channel: 'hotline_12345',
    title: `停暖 ${ticketId}`,
    location: spot(),
  });

  it('an urgent ticket: near deadline (warning) after 80 % of 24 h, then overdue (severe) after 24 h; closing resolves', async () => {
    const w = await new World().boot();
    await w.post(created('T-1', 'urgent', T0));
    const nearAt = T0 + 0.8 * 24 * HOUR;
    await w.at(nearAt);
    expect(w.alerts()).toEqual([]);
    await w.at(nearAt + 1000);
    expect(w.alerts('ticket_near_deadline')).toMatchObject([
      { id: 'ticket_near_deadline:T-1', severity: 'warning', status: 'open' },
    ]);
    await w.at(T0 + 24 * HOUR);
    expect(w.alerts('ticket_overdue')).toEqual([]);
    await w.at(T0 + 24 * HOUR + 1000);
    expect(w.alerts('ticket_overdue')).toMatchObject([
      { id: 'ticket_overdue:T-1', severity: 'severe', status: 'open' },
    ]);
    expect(w.alerts('ticket_near_deadline')[0]!.status).toBe('resolved');
    w.now = T0 + 25 * HOUR;
    await w.post({ kind: 'ticket.closed', time: iso(w.now), ticketId: 'T-1', resolved: true });
    expect(w.alerts('ticket_overdue')[0]!.status).toBe('resolved');
  });

  it('normal tickets get no near-deadline alert, a warning when overdue; low tickets none at all', async () => {
    const w = await new World(createMemoryStore(), withoutForest()).boot();
    await w.post(created('T-n', 'normal', T0), created('T-l', 'low', T0));
    await w.at(T0 + 7 * 24 * HOUR);
    expect(w.alerts()).toEqual([]);
    await w.at(T0 + 7 * 24 * HOUR + 1000);
    expect(w.alerts()).toMatchObject([{ id: 'ticket_overdue:T-n', severity: 'warning' }]);
    await w.at(T0 + 16 * 24 * HOUR);
    expect(w.alerts().map((a) => a.subjects[0]!.id)).toEqual(['T-n']);
  });

  it('follows configured severities: overdue low tickets can raise too', async () => {
    const w = await new World(createMemoryStore(), withoutForest({ ticketOverdue: { low: 'info' } })).boot();
    await w.post(created('T-l', 'low', T0));
    await w.at(T0 + 15 * 24 * HOUR + 1000);
    expect(w.alerts()).toMatchObject([{ id: 'ticket_overdue:T-l', severity: 'info' }]);
  });

  it('follows the deadline the hotline sent: the alert comes at the moment the live state marks the ticket overdue', async () => {
    const w = await new World(createMemoryStore(), withoutForest()).boot();
    const due = T0 + 3 * HOUR;
    await w.post({ ...created('T-3', 'normal', T0), resolveDueAt: iso(due) } as Bare<OpsEvent>);
    await w.at(due);
    expect(w.live.ticket('T-3')!.overdue).toBe(false);
    expect(w.alerts()).toEqual([]);
    await w.at(due + 1000);
    expect(w.live.ticket('T-3')!.overdue).toBe(true);
    expect(w.alerts()).toMatchObject([{ id: 'ticket_overdue:T-3', severity: 'warning', status: 'open' }]);
  });

  it('an engine restored from its snapshot watches the same tickets: each alert is raised once', async () => {
    const w = await new World(createMemoryStore(), withoutForest()).boot();
    await w.post(created('T-5', 'urgent', T0), created('T-6', 'urgent', T0));
    await w.at(T0 + 0.8 * 24 * HOUR + 1000);
    expect(w.alerts('ticket_near_deadline')).toHaveLength(2);
    const restored = w.newEngine();
    restored.restoreState(structuredClone(w.engine.snapshotState()));
    w.engine = restored;
    restored.start();
    w.now = T0 + HOUR * 20;
    await w.post({ kind: 'ticket.closed', time: iso(w.now), ticketId: 'T-6', resolved: true });
    await w.at(T0 + 24 * HOUR + 1000);
    const raised = (await w.alertEvents()).filter((e) => e.kind === 'alert.raised').map((e) => e.alertId);
    expect(raised.sort()).toEqual(['ticket_near_deadline:T-5', 'ticket_near_deadline:T-6', 'ticket_overdue:T-5']);
    expect(w.alerts('ticket_near_deadline').map((a) => a.status)).toEqual(['resolved', 'resolved']);
  });

  it('a ticket closed before its deadline never raises', async () => {
    const w = await new World(createMemoryStore(), withoutForest()).boot();
    await w.post(created('T-2', 'urgent', T0));
    w.now = T0 + HOUR;
    await w.post({ kind: 'ticket.updated', time: iso(w.now), ticketId: 'T-2', status: 'closed' });
    await w.at(T0 + 48 * HOUR);
    expect(w.alerts()).toEqual([]);
  });
});

describe('ticket surge in a grid cell', () => {
  const ticketIn = (gridId: string, n: string, time: number): Bare<OpsEvent> => ({
    kind: 'ticket.created',
    time: iso(time),
    ticketId: `S-${n}`,
    category: 'noise',
    urgency: 'low',
    channel: 'hotline_12345',
    title: '施工噪音',
    location: spotIn('grid', gridId),
  });

  it('needs at least 5 in 60 min in a quiet cell, and 3 × the baseline in a busy one', async () => {
    const cells = geo.layers.grid.features
      .filter((f) => f.properties.townId === '110112004')
      .map((f) => f.properties.id);
    const busy = cells[0]!;
    const quiet = cells[1]!;
    const w = await new World().boot();
    // Two days of history: 2 tickets an hour in the busy cell, so its baseline is 2 per 60 min → needs 6.
    const history: Bare<OpsEvent>[] = [];
    for (let h = 48; h >= 2; h--)
      history.push(ticketIn(busy, `b${h}a`, T0 - h * HOUR), ticketIn(busy, `b${h}b`, T0 - h * HOUR + 20 * MIN));
    await w.post(...history);
    expect(w.alerts()).toEqual([]);

    for (let i = 1; i <= 4; i++) await w.post(ticketIn(quiet, `q${i}`, T0 - 50 * MIN + i * MIN));
    expect(w.alerts('ticket_surge')).toEqual([]);
    await w.post(ticketIn(quiet, 'q5', T0 - 10 * MIN));
    expect(w.alerts('ticket_surge')).toMatchObject([
      { subjects: [{ kind: 'grid', id: quiet }], area: `grid:${quiet}`, severity: 'warning' },
    ]);

    for (let i = 1; i <= 5; i++) await w.post(ticketIn(busy, `n${i}`, T0 - 50 * MIN + i * MIN));
    expect(w.alerts('ticket_surge').filter((a) => a.subjects[0]!.id === busy)).toEqual([]);
    await w.post(ticketIn(busy, 'n6', T0 - 5 * MIN));
    const busyAlert = w.alerts('ticket_surge').filter((a) => a.subjects[0]!.id === busy);
    expect(busyAlert).toHaveLength(1);
    expect(busyAlert[0]!.facts).toMatchObject({ count: 6 });

    // More tickets in the same surge: still one alert per cell.
    await w.post(ticketIn(busy, 'n7', T0 - 4 * MIN));
    expect(w.alerts('ticket_surge')).toHaveLength(2);
    // An hour later the window is quiet again: both resolve.
    await w.at(T0 + 60 * MIN);
    expect(w.alerts('ticket_surge').map((a) => a.status)).toEqual(['resolved', 'resolved']);
  });
});

describe('forest clusters and rangers', () => {
  const cluster = () => geo.layers.forest.features[0]!.properties.id;

  it('raises for a cluster not patrolled for 24 h (from its last patrol, or the start of the log), resolves on a patrol', async () => {
    const w = await new World().boot();
    const c = cluster();
    await w.post({ kind: 'patrol.started', time: iso(T0 + HOUR), patrolId: 'p1', rangerId: 'r-1', clusterId: c });
    w.now = T0 + 2 * HOUR;
    await w.post({ kind: 'patrol.ended', time: iso(T0 + 2 * HOUR), patrolId: 'p1', rangerId: 'r-1' });
    await w.at(T0 + 25 * HOUR - 1000);
    expect(w.alerts('forest_unpatrolled')).toEqual([]);
    await w.at(T0 + 25 * HOUR);
    const others = w.alerts('forest_unpatrolled');
    // Every other cluster has had no patrol since the log began at T0 + 1 h.
    expect(others).toHaveLength(geo.layers.forest.features.length - 1);
    expect(others.some((a) => a.subjects[0]!.id === c)).toBe(false);
    await w.at(T0 + 26 * HOUR - 1000);
    expect(w.alerts('forest_unpatrolled').some((a) => a.subjects[0]!.id === c)).toBe(false);
    await w.at(T0 + 26 * HOUR);
    const mine = w.alerts('forest_unpatrolled').find((a) => a.subjects[0]!.id === c)!;
    expect(mine).toMatchObject({ status: 'open', area: `forest:${c}`, severity: 'warning' });
    w.now = T0 + 27 * HOUR;
    await w.post({ kind: 'patrol.started', time: iso(w.now), patrolId: 'p2', rangerId: 'r-2', clusterId: c });
    expect(w.book.get(mine.id)!.status).toBe('resolved');
  });

  it("raises when an active ranger's signal is lost for 15 min, resolves when a position comes back", async () => {
    const w = await new World().boot();
    const c = cluster();
    const at = spotIn('forest', c);
    await w.post({
      kind: 'patrol.started',
      time: iso(T0),
      patrolId: 'p1',
      rangerId: 'r-9',
      clusterId: c,
      location: at,
    });
    w.now = T0 + 5 * MIN;
    await w.post({ kind: 'patrol.position', time: iso(w.now), rangerId: 'r-9', patrolId: 'p1', location: at });
    await w.at(T0 + 20 * MIN - 1000);
    expect(w.alerts('ranger_signal_lost')).toEqual([]);
    await w.at(T0 + 20 * MIN);
    expect(w.alerts('ranger_signal_lost')).toMatchObject([
      { status: 'open', subjects: [{ kind: 'ranger', id: 'r-9' }], area: `forest:${c}` },
    ]);
    w.now = T0 + 25 * MIN;
    await w.post({ kind: 'patrol.position', time: iso(w.now), rangerId: 'r-9', patrolId: 'p1', location: at });
    expect(w.alerts('ranger_signal_lost')[0]!.status).toBe('resolved');
    // A ranger off patrol is not missed.
    await w.post({ kind: 'patrol.ended', time: iso(w.now), rangerId: 'r-9', patrolId: 'p1' });
    await w.at(T0 + 3 * HOUR);
    expect(w.alerts('ranger_signal_lost')).toHaveLength(1);
  });
});

describe('escalation', () => {
  it('escalates a severe town alert to the district exactly 10 min after it was raised, never after an acknowledgement', async () => {
    const w = await new World().boot();
    await w.post(incident('inc-a', T0), incident('inc-b', T0));
    await w.at(T0 + 5 * MIN);
    await w.act({ kind: 'alert.acknowledged', alertId: 'fire_risk:inc-b', by: officer });
    await w.at(T0 + 10 * MIN - 1000);
    expect(w.book.get('fire_risk:inc-a')).toMatchObject({ level: 'town', status: 'open' });
    await w.at(T0 + 10 * MIN);
    const a = w.book.get('fire_risk:inc-a')!;
    expect(a).toMatchObject({ level: 'district', escalatedAt: expect.any(String) });
    expect(a.actions.map((x) => x.kind)).toEqual(['alert.raised', 'alert.escalated']);
    await w.at(T0 + 2 * HOUR);
    expect(w.book.get('fire_risk:inc-b')).toMatchObject({
      level: 'town',
      status: 'acknowledged',
      acknowledgedBy: officer,
    });
    expect((await w.alertEvents()).filter((e) => e.kind === 'alert.escalated')).toHaveLength(1);
  });

  it('escalates a warning after 30 min', async () => {
    const w = await new World().boot();
    await w.post({
      kind: 'patrol.started',
      time: iso(T0),
      patrolId: 'p1',
      rangerId: 'r-3',
      clusterId: geo.layers.forest.features[0]!.properties.id,
    });
    await w.at(T0 + 15 * MIN);
    const id = w.alerts('ranger_signal_lost')[0]!.id;
    await w.at(T0 + 45 * MIN - 1000);
    expect(w.book.get(id)!.level).toBe('town');
    await w.at(T0 + 45 * MIN);
    expect(w.book.get(id)!.level).toBe('district');
  });
});

describe('restart and a second node', () => {
  it('a new engine folded from the same log raises nothing new, and keeps deciding from where the old one stopped', async () => {
    const store = createMemoryStore();
    const w = await new World(store).boot();
    const cp = geo.layers.checkpoints.features[0]!.properties;
    await w.post(incident('inc-r', T0), {
      kind: 'flood.reading',
      time: iso(T0),
      checkpointId: cp.id,
      level: cp.thresholds.red,
    });
    await w.act({ kind: 'alert.acknowledged', alertId: 'fire_risk:inc-r', by: officer });
    await w.at(T0 + 30 * MIN);
    // A person resolves the flood alert while the water is still high: not raised again while it stays high.
    const flood = w.alerts('flood_warning')[0]!;
    await w.act({ kind: 'alert.resolved', alertId: flood.id, by: officer, note: '已现场处置' });
    await w.at(T0 + 31 * MIN);
    const before = await store.lastSeq();

    const restarted = new World(store, DEFAULT_ALERT_RULE_OPTIONS, w.bus);
    restarted.now = T0 + 32 * MIN;
    await restarted.boot();
    await restarted.at(T0 + 33 * MIN);
    expect(await store.lastSeq()).toBe(before);
    expect(restarted.alerts().map((a) => [a.id, a.status, a.level])).toEqual(
      w.alerts().map((a) => [a.id, a.status, a.level]),
    );
    // It still decides: the fire-risk incident resolved → the alert resolves (once, though two engines listen).
    restarted.now = T0 + 40 * MIN;
    await restarted.post({ kind: 'patrol.incident_resolved', time: iso(restarted.now), incidentId: 'inc-r' });
    await w.settle();
    expect(restarted.book.get('fire_risk:inc-r')!.status).toBe('resolved');
    expect(
      (await restarted.alertEvents()).filter((e) => e.kind === 'alert.resolved' && e.alertId === 'fire_risk:inc-r'),
    ).toHaveLength(1);
  });
});

describe('options', () => {
  it('merges overrides rule by rule and names a bad value', () => {
    const r = resolveAlertRuleOptions({ flood: { clearAfterMin: 45 } });
    expect(r.ok && r.options.flood).toEqual({ ...DEFAULT_ALERT_RULE_OPTIONS.flood, clearAfterMin: 45 });
    const bad = resolveAlertRuleOptions({ flood: { raiseAt: 'purple' } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors[0]!.path).toBe('/flood/raiseAt');
    const unknown = resolveAlertRuleOptions({ tsunami: {} });
    expect(!unknown.ok && unknown.errors[0]!.message).toMatch(/unknown rule/);
  });
});

describe('titles from facts', () => {
  it("every rule's facts word its title: the client's Chinese wording is the server's title, the English wording has no Chinese but the data", async () => {
    const zh = createI18n('zh-CN').getFixedT('zh-CN', 'auth');
    const en = createI18n('en').getFixedT('en', 'auth');
    const w = await new World().boot();
    const cp = geo.layers.checkpoints.features.find((f) => f.properties.id === 'cp-beiyun-01')!;
    const c = geo.layers.forest.features[0]!.properties.id;
    const grid = geo.layers.grid.features[0]!.properties.id;
    const at = spotIn('forest', c);
    await w.post(
      { kind: 'flood.reading', time: iso(T0), checkpointId: cp.properties.id, level: cp.properties.thresholds.orange },
      incident('inc-t', T0),
      {
        kind: 'patrol.incident',
        time: iso(T0),
        rangerId: 'ranger-wang-lin',
        incidentId: 'sos-t',
        type: 'sos',
        severity: 'high',
        description: '护林员 ranger-wang-lin，设备 王林 手机-2',
        location: at,
        meta: { deviceId: '王林 手机-2' },
      },
      { kind: 'patrol.started', time: iso(T0), patrolId: 'p-t', rangerId: 'r-t', clusterId: c, location: at },
      ...Array.from({ length: 6 }, (_, n) => ({
        kind: 'ticket.created' as const,
        time: iso(T0 - 30 * MIN + n * MIN),
        ticketId: `TT-${n}`,
        category: 'noise' as const,
        urgency: 'urgent' as const,
        channel: 'hotline_12345' as const,
        title: `夜间施工噪音 ${n}`,
        location: spotIn('grid', grid),
      })),
    );
    await w.at(T0 + 0.85 * 24 * HOUR);
    await w.at(T0 + 25 * HOUR);
    const all = w.alerts();
    const rules = new Set(all.map((a) => a.rule));
    for (const rule of ALERT_RULES) expect(rules.has(rule), rule).toBe(true);
    for (const a of all) {
      expect(alertTitle(a, zh), a.id).toBe(a.title);
      // What is left of the English title once the data it quotes is taken out is English.
      let rest = alertTitle(a, en);
      for (const v of Object.values(a.facts ?? {})) rest = rest.split(String(v)).join('');
      expect(rest, `${a.id}: ${alertTitle(a, en)}`).not.toMatch(/[\u3400-\u9fff]/);
    }
    const sos = all.find((a) => a.rule === 'ranger_sos')!;
    expect(alertTitle(sos, en)).toBe('SOS from ranger ranger-wang-lin, device 王林 手机-2');
    const flood = all.find((a) => a.rule === 'flood_warning')!;
    expect(alertTitle(flood, en)).toMatch(/^.+: water at \d+\.\d\d m, orange warning$/);
  });
});
