// Zero leakage over real sockets: the real app with the embedded simulator at full speed (SIM_SPEED=100) for a
// minute of wall time. A 张家湾镇 leader's socket records every snapshot, delta and alert it receives, and
// nothing in them may lie in 宋庄镇: aggregate keys by the area tree, tickets, rangers (and their trails),
// incidents and alerts by their coordinates through the server's locator over the town polygons, checkpoints
// by their position in the checkpoints layer. A district socket runs beside it as the control: it proves that
// 宋庄镇 was busy all the while (so the silence is the scope's doing), and it names the 宋庄镇 object ids that
// must never appear in the leader's stream, not even as a removal. Beside the simulator the test posts a marked
// ticket into each town every two seconds, and every ten seconds a fire-risk report in each town (a severe
// alert): each 张家湾镇 mark and alert must reach the leader, no 宋庄镇 one may.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { Alert } from '../../server/contract/alerts';
import type { AreaKey } from '../../server/contract/areas';
import { inScope } from '../../server/contract/auth';
import type { DeltaWire, Snapshot } from '../../server/contract/live';
import { ScopeMirror } from '../../server/contract/mirror';
import type {
  AckError,
  ClientToServerEvents,
  FollowAck,
  ResumeAck,
  ServerToClientEvents,
} from '../../server/contract/socket';
import { testApp, ticket } from '../helpers/app';
import { principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { pointsInTown, townLocator } from '../helpers/towns';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type Point = readonly [number, number, ...number[]];

const RUN_MS = 60_000;
/** Beside the simulator, the test posts a ticket into each of the two towns this often: known ids to look for. */
const MARK_EVERY_MS = 2_000;

let app: App;
let base: string;
let townAt: (lon: number, lat: number) => AreaKey | undefined;
let checkpointTown: Map<string, AreaKey | undefined>;

beforeAll(async () => {
  app = await testApp({ SIMULATOR: 'on', SIM_SPEED: '100', SIM_BACKFILL_HOURS: '1', FLUSH_MS: '150' });
  // The simulator starts when the server listens (onListen).
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  townAt = townLocator(app.services.geo);
  checkpointTown = new Map(
    app.services.geo.layers.checkpoints.features.map((f) => {
      const [lon, lat] = (f.geometry as { coordinates: [number, number] }).coordinates;
      return [String(f.properties.id), townAt(lon, lat)];
    }),
  );
});
afterAll(async () => {
  await app?.close();
});

/** Everything one socket received, and where each thing lies. */
class Recorder {
  readonly mirror = new ScopeMirror();
  snapshots = 0;
  deltas = 0;
  alerts: Alert[] = [];
  /** Aggregate keys seen in snapshots and deltas. */
  readonly keys = new Set<string>();
  /** Per town: how many located things (objects, trail points, alerts) fell there. */
  readonly located = new Map<string, number>();
  /** Object ids per kind, with the town they lay in when last seen (upserts), and ids only removed. */
  readonly objects = new Map<string, AreaKey | undefined>();
  readonly removed = new Set<string>();
  /** What lay in 宋庄镇: a line per thing, for the failure message. */
  readonly foreign: string[] = [];

  constructor(readonly socket: Client) {
    socket.on('state:snapshot', (s: Snapshot) => this.snapshot(s));
    socket.on('state:delta', (d: DeltaWire) => this.delta(d));
    socket.on('alert:changed', (a: Alert) => this.alert(a));
  }

  private place(what: string, p: Point): AreaKey | undefined {
    const town = townAt(p[0], p[1]);
    this.located.set(town ?? 'outside', (this.located.get(town ?? 'outside') ?? 0) + 1);
    if (town === SONGZHUANG) this.foreign.push(`${what} at ${p[0]},${p[1]}`);
    return town;
  }

  private object(kind: string, id: string, town: AreaKey | undefined): void {
    this.objects.set(`${kind}:${id}`, town);
  }

  private snapshot(s: Snapshot): void {
    this.snapshots += 1;
    this.mirror.applySnapshot(s);
    for (const a of s.aggregates) this.keys.add(a.key);
    for (const k of s.keys ?? []) this.keys.add(k);
    for (const t of s.tickets) this.object('ticket', t.id, this.place(`ticket ${t.id}`, t.position));
    for (const c of s.checkpoints) this.checkpoint(c.id);
    for (const r of s.rangers) this.ranger(r.id, r.position, r.trail);
    for (const i of s.incidents ?? []) this.object('incident', i.id, this.place(`incident ${i.id}`, i.position));
  }

  private delta(d: DeltaWire): void {
    this.deltas += 1;
    if (d.scope !== this.mirror.scope) this.foreign.push(`a delta of scope ${d.scope}`);
    this.mirror.applyDelta(d);
    // Patches name aggregates by position in the scope's key list: the mirror holds them by key.
    for (const k of this.mirror.aggregates.keys()) this.keys.add(k);
    for (const t of d.tickets?.upserts ?? []) this.object('ticket', t.id, this.place(`ticket ${t.id}`, t.position));
    for (const c of d.checkpoints?.upserts ?? []) this.checkpoint(c.id);
    for (const r of d.rangers?.upserts ?? [])
      this.ranger(r.id, r.position, [...(r.trail ?? []), ...(r.trailTail ?? [])]);
    for (const i of d.incidents?.upserts ?? [])
      this.object('incident', i.id, this.place(`incident ${i.id}`, i.position));
    for (const [kind, changes] of [
      ['ticket', d.tickets],
      ['checkpoint', d.checkpoints],
      ['ranger', d.rangers],
      ['incident', d.incidents],
    ] as const) {
      for (const id of changes?.removals ?? []) this.removed.add(`${kind}:${id}`);
    }
  }

  private checkpoint(id: string): void {
    const town = checkpointTown.get(id);
    this.located.set(town ?? 'outside', (this.located.get(town ?? 'outside') ?? 0) + 1);
    if (town === SONGZHUANG) this.foreign.push(`checkpoint ${id}`);
    this.object('checkpoint', id, town);
  }

  private ranger(id: string, position: Point, trail: readonly Point[]): void {
    this.object('ranger', id, this.place(`ranger ${id}`, position));
    for (const p of trail) this.place(`ranger ${id}'s trail`, p);
  }

  private alert(a: Alert): void {
    this.alerts.push(a);
    const tree = app.services.geo.tree;
    if (a.town === SONGZHUANG || inScope(tree, SONGZHUANG, a.area)) this.foreign.push(`alert ${a.id} of ${a.area}`);
    if (a.location) this.place(`alert ${a.id}`, [a.location.lon, a.location.lat]);
  }
}

async function open(cookie: string, auth: Record<string, unknown> = {}): Promise<Client> {
  const socket: Client = connect(base, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    auth,
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

const refusal = (ack: FollowAck | ResumeAck): AckError['error'] | undefined => (ack.ok ? undefined : ack.error);

describe('zero leakage: a 张家湾镇 leader under the simulator at full speed', () => {
  it(
    'receives nothing located in 宋庄镇 for a minute, while the district sees 宋庄镇 busy',
    async () => {
      const leaderCookie = (await sessionHeaders(app, principals.townLeader)).cookie;
      const adminCookie = (await sessionHeaders(app, principals.districtOfficer)).cookie;
      // The leader names no scope: the server puts the socket on the leader's own town.
      const leader = new Recorder(await open(leaderCookie));
      const marks: number[] = [];
      const fires: number[] = [];
      const control = new Recorder(await open(adminCookie, { scope: app.services.geo.tree.root }));

      try {
        // Asking for another town or for the district is refused, on the open socket and at a handshake.
        for (const key of [SONGZHUANG, app.services.geo.tree.root as AreaKey]) {
          const ack = await leader.socket.timeout(5000).emitWithAck('scope:follow', { key });
          expect(refusal(ack)?.code, `scope:follow ${key}`).toBe('forbidden');
          expect(refusal(ack)?.message).toMatch(/^not in your area: /);
        }
        const resume = await leader.socket.timeout(5000).emitWithAck('state:resume', { lastSeq: 0, scope: SONGZHUANG });
        expect(refusal(resume)?.code).toBe('forbidden');
        const handshake = await open(leaderCookie, { scope: SONGZHUANG }).then(
          (s) => {
            s.disconnect();
            return 'connected';
          },
          (e: { data?: { code?: string } }) => e.data?.code,
        );
        expect(handshake).toBe('forbidden');

        // A minute of the simulator, and a marked pair of tickets (one per town) every two seconds.
        const zjwPoints = pointsInTown(app.services.geo, ZHANGJIAWAN, 40);
        const szPoints = pointsInTown(app.services.geo, SONGZHUANG, 40);
        const end = Date.now() + RUN_MS;
        for (let i = 0; Date.now() < end; i++) {
          const res = await postEvents(app, [
            ticket(`mark-zjw-${i}`, { location: zjwPoints[i % zjwPoints.length] }),
            ticket(`mark-sz-${i}`, { location: szPoints[i % szPoints.length] }),
          ]);
          expect(res.json().accepted, res.body).toBe(2);
          marks.push(i);
          // Every fifth round a fire-risk report in each town: a severe alert the rules raise at once.
          if (i % 5 === 0) {
            const fire = await postEvents(app, [
              fireRisk(`fire-zjw-${i}`, zjwPoints[(i + 7) % zjwPoints.length]!),
              fireRisk(`fire-sz-${i}`, szPoints[(i + 7) % szPoints.length]!),
            ]);
            expect(fire.json().accepted, fire.body).toBe(2);
            fires.push(i);
          }
          await new Promise((r) => setTimeout(r, Math.min(MARK_EVERY_MS, Math.max(0, end - Date.now()))));
        }
        // The last flush reaches the sockets: wait until every mark and fire alert has reached the socket it is
        // for (a leaked one would ride in the same flush). Missing ones after the timeout are the assertions' to name.
        const delivered = () =>
          marks.every(
            (i) =>
              leader.objects.has(`ticket:T-mark-zjw-${i}`) &&
              control.objects.get(`ticket:T-mark-sz-${i}`) === SONGZHUANG,
          ) &&
          fires.every(
            (i) =>
              leader.alerts.some((a) => a.id === `fire_risk:I-fire-zjw-${i}`) &&
              control.alerts.some((a) => a.id === `fire_risk:I-fire-sz-${i}`),
          );
        for (const until = Date.now() + 10_000; !delivered() && Date.now() < until;)
          await new Promise((r) => setTimeout(r, 50));
      } finally {
        leader.socket.disconnect();
        control.socket.disconnect();
      }

      // The leader's stream was its own town's all along.
      expect(leader.mirror.scope).toBe(ZHANGJIAWAN);
      expect(leader.foreign, 'things located in 宋庄镇 reached the leader').toEqual([]);
      const tree = app.services.geo.tree;
      expect(
        [...leader.keys].filter((k) => !inScope(tree, ZHANGJIAWAN, k)),
        'aggregates outside 张家湾镇',
      ).toEqual([]);
      // Cross-check by id: no object the district saw in 宋庄镇 was ever named to the leader.
      const songzhuangIds = [...control.objects].filter(([, town]) => town === SONGZHUANG).map(([id]) => id);
      const named = new Set([...leader.objects.keys(), ...leader.removed]);
      expect(
        songzhuangIds.filter((id) => named.has(id)),
        '宋庄镇 objects named to the leader',
      ).toEqual([]);
      // Every object the leader saw lies in 张家湾镇.
      expect([...leader.objects].filter(([, town]) => town !== ZHANGJIAWAN).map(([id]) => id)).toEqual([]);

      console.info(
        `leakage: leader ${leader.snapshots} snapshot(s), ${leader.deltas} deltas, ${leader.alerts.length} alerts, ` +
          `${leader.located.get(ZHANGJIAWAN) ?? 0} located in 张家湾镇; district saw ${control.located.get(SONGZHUANG) ?? 0} in 宋庄镇, ` +
          `${control.alerts.length} alerts; ${marks.length} marked pairs`,
      );
      // The marked tickets: every 张家湾镇 one reached the leader, no 宋庄镇 one did, and the district got both.
      expect(marks.length).toBeGreaterThan(20);
      expect(
        marks.filter((i) => !leader.objects.has(`ticket:T-mark-zjw-${i}`)),
        '张家湾镇 marks missing',
      ).toEqual([]);
      expect(
        marks.filter((i) => leader.objects.has(`ticket:T-mark-sz-${i}`) || leader.removed.has(`ticket:T-mark-sz-${i}`)),
      ).toEqual([]);
      expect(
        marks.filter((i) => control.objects.get(`ticket:T-mark-sz-${i}`) !== SONGZHUANG),
        '宋庄镇 marks the district missed',
      ).toEqual([]);
      // The fire-risk alerts: each 张家湾镇 one reached the leader, no 宋庄镇 one did, and the district heard both.
      const alertIds = (r: Recorder) => new Set(r.alerts.map((a) => a.id));
      const leaderAlerts = alertIds(leader);
      const districtAlerts = alertIds(control);
      expect(fires.length).toBeGreaterThan(4);
      expect(
        fires.filter((i) => !leaderAlerts.has(`fire_risk:I-fire-zjw-${i}`)),
        '张家湾镇 fire alerts missing',
      ).toEqual([]);
      expect(
        fires.filter((i) => leaderAlerts.has(`fire_risk:I-fire-sz-${i}`)),
        '宋庄镇 fire alerts leaked',
      ).toEqual([]);
      expect(
        fires.filter((i) => !districtAlerts.has(`fire_risk:I-fire-sz-${i}`)),
        '宋庄镇 fire alerts the district missed',
      ).toEqual([]);
      // And the test could have failed: 宋庄镇 was busy, the leader got a real stream of its own town.
      expect(control.located.get(SONGZHUANG) ?? 0, '宋庄镇 activity seen by the district').toBeGreaterThan(20);
      expect(songzhuangIds.length).toBeGreaterThan(5);
      expect(leader.snapshots).toBeGreaterThanOrEqual(1);
      expect(leader.deltas).toBeGreaterThan(100);
      expect(leader.located.get(ZHANGJIAWAN) ?? 0, '张家湾镇 things received').toBeGreaterThan(marks.length);
      expect(leader.keys.size).toBeGreaterThan(1);
    },
    RUN_MS + 60_000,
  );

  it('REST as the leader: 宋庄镇 areas, its cells and its objects are refused; the raw log too', async () => {
    const leader = await sessionHeaders(app, principals.townLeader);
    const tree = app.services.geo.tree;
    const szCell = (tree.children[SONGZHUANG] ?? [])[0]!;
    const szId = SONGZHUANG.slice('town:'.length);
    for (const url of [
      `/api/v1/aggregates?scope=${SONGZHUANG}`,
      `/api/v1/aggregates?scope=${szCell}`,
      `/api/v1/aggregates?scope=${tree.root}`,
      `/api/v1/tickets?area=${SONGZHUANG}`,
      `/api/v1/tickets?area=${szCell}`,
      `/api/v1/trend?area=${szCell}`,
      `/api/v1/patrol/visited?town=${szId}`,
      `/api/v1/landing?town=${SONGZHUANG}`,
    ]) {
      const res = await app.inject({ url, headers: leader });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().code, url).toBe('not_in_scope');
    }
    expect((await app.inject({ url: '/api/v1/events', headers: leader })).statusCode).toBe(403);
    // The leader's own list holds only 张家湾镇 tickets, though the district holds 宋庄镇 ones by now.
    const own = (await app.inject({ url: '/api/v1/tickets?limit=1000', headers: leader })).json() as {
      items: { position: [number, number] }[];
    };
    expect(own.items.length).toBeGreaterThan(0);
    expect(own.items.filter((t) => townAt(t.position[0], t.position[1]) !== ZHANGJIAWAN)).toEqual([]);
    expect(app.services.live.tickets({ area: SONGZHUANG }).total).toBeGreaterThan(0);
  });
});

/** A ranger's fire-risk report (火险) at a point: the rules raise a severe alert for it at once. */
function fireRisk(id: string, at: { lon: number; lat: number }): Record<string, unknown> {
  return {
    id,
    kind: 'patrol.incident',
    time: new Date(Date.now() - 1_000).toISOString(),
    source: 'ranger_app',
    rangerId: `R-${id}`,
    incidentId: `I-${id}`,
    type: 'fire_risk',
    severity: 'high',
    description: '林下发现烟点',
    location: at,
  };
}
