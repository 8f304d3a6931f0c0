// History mode: a replay of a past moment equals the live state the server showed at that moment (the same
// seq, the same snapshot), on a recorded scenario of all three event kinds; playing it forward with deltas
// reaches the same states; over a real socket it is scoped like live data and refuses what is malformed.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { AreaKey } from '../../server/contract/areas';
import { toWireRow, type DeltaWire, type Snapshot } from '../../server/contract/live';
import { ScopeMirror } from '../../server/contract/mirror';
import type { ReplayAck, ReplayStatus } from '../../server/contract/replay';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';
import { scopeFrames } from '../../server/replay/frames';
import { ReplaySession } from '../../server/replay/session';
import { createSimulator } from '../../server/sim/engine';
import { testApp } from '../helpers/app';
import { principals, sessionHeaders, DISTRICT, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const MIN = 60_000;
const START = Date.parse('2026-07-20T08:00:00+08:00');
const END = START + 6 * 60 * MIN;
/** Moments the live state is recorded at: early, mid-storm, the end. */
const MOMENTS = [START + 70 * MIN, START + 150 * MIN, START + 240 * MIN, END];

let app: App;
let clock = START;
let base: string;
const recorded = new Map<number, { seq: number; district: Snapshot; town: Snapshot }>();

/** The state a client of the live gateway would get: the same wire form as the replay's frames. */
const liveSnapshot = (scope: AreaKey): Snapshot =>
  scopeFrames(app.services.live, app.services.geo.tree, scope, 30 * MIN).snapshot();

beforeAll(async () => {
  app = await testApp({ FLUSH_MS: '100' }, { now: () => clock });
  const sim = createSimulator({ geo: app.services.geo, scenario: 'normal', seed: 11, start: START });
  // The live run: ten minutes of the scenario at a time, the clock moved with it, as a server lives through it.
  for (let t = START + 10 * MIN; t <= END; t += 10 * MIN) {
    clock = t;
    const events = sim.next(t);
    for (let i = 0; i < events.length; i += 2000) {
      const r = await app.services.accept(events.slice(i, i + 2000));
      expect(r.rejected).toBe(0);
    }
    app.services.live.advance(t);
    if (MOMENTS.includes(t))
      recorded.set(t, {
        seq: app.services.live.seq,
        district: liveSnapshot(DISTRICT),
        town: liveSnapshot(ZHANGJIAWAN),
      });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}, 120_000);
afterAll(async () => {
  await app?.close();
});

const rows = (m: ScopeMirror) => [...m.aggregates.entries()].map(([k, a]) => [k, toWireRow(a)]);
const deps = () => ({
  geo: app.services.geo,
  store: app.services.store,
  live: { kpiWeights: { response: 0.2, resolution: 0.4, satisfaction: 0.4 } },
});

describe('replay equals live', () => {
  it('recorded a scenario with tickets, flood readings and patrols', () => {
    const last = recorded.get(END)!;
    console.log(
      'recorded at the end:',
      last.seq,
      'events;',
      last.district.tickets.length,
      'open tickets,',
      last.district.checkpoints.length,
      'checkpoints,',
      last.district.rangers.length,
      'rangers',
    );
    expect(last.seq).toBeGreaterThan(3000);
    expect(last.district.tickets.length).toBeGreaterThan(10);
    expect(last.district.checkpoints.length).toBeGreaterThan(5);
    expect(last.district.rangers.length).toBeGreaterThan(3);
  });

  it('opened at a past moment, shows the live state of that moment: same seq, same snapshot', async () => {
    for (const t of MOMENTS) {
      const live = recorded.get(t)!;
      const session = await ReplaySession.open(deps(), { scope: DISTRICT, fromMs: START, toMs: END, atMs: t });
      expect(session.seq, `seq at ${new Date(t).toISOString()}`).toBe(live.seq);
      expect(session.snapshot()).toEqual(live.district);
      session.rescope(ZHANGJIAWAN);
      expect(session.snapshot()).toEqual(live.town);
    }
  });

  it('played forward with deltas, reaches the live state of every recorded moment', async () => {
    const session = await ReplaySession.open(deps(), { scope: DISTRICT, fromMs: START, toMs: END });
    const mirror = new ScopeMirror();
    mirror.applySnapshot(session.snapshot());
    let deltas = 0;
    for (const t of MOMENTS) {
      // 600× at 250 ms frames: 150 s of history per frame.
      while (session.at < t) {
        const d = await session.moveTo(Math.min(t, session.at + 150_000));
        if (d) {
          expect(mirror.applyDelta(d)).toBe('applied');
          deltas++;
        }
      }
      const expected = new ScopeMirror();
      expected.applySnapshot(recorded.get(t)!.district);
      // Deltas carry rates rounded to 4 decimals (the wire form), snapshots exact: compare as the wire rows.
      expect(rows(mirror)).toEqual(rows(expected));
      expect(new Map([...mirror.tickets].sort())).toEqual(new Map([...expected.tickets].sort()));
      expect(new Map([...mirror.checkpoints].sort())).toEqual(new Map([...expected.checkpoints].sort()));
      expect(new Map([...mirror.incidents].sort())).toEqual(new Map([...expected.incidents].sort()));
      expect([...mirror.rangers.keys()].sort()).toEqual([...expected.rangers.keys()].sort());
      for (const [id, r] of expected.rangers)
        expect(mirror.rangers.get(id)?.position, `ranger ${id}`).toEqual(r.position);
    }
    expect(deltas).toBeGreaterThan(50);
    expect(session.status().ended).toBe(true);
  });
});

describe('replay over the socket', () => {
  async function socketAs(principal: (typeof principals)[keyof typeof principals]): Promise<Client> {
    const { cookie } = await sessionHeaders(app, principal);
    const socket: Client = connect(base, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', resolve);
      socket.on('connect_error', reject);
    });
    return socket;
  }

  it('plays, pauses, steps and seeks a town for its leader; the frames chain and the clock moves at the speed asked', async () => {
    const leader = await socketAs(principals.townLeader);
    try {
      const mirror = new ScopeMirror();
      const statuses: ReplayStatus[] = [];
      let broken = 0;
      leader.on('replay:snapshot', (s) => mirror.applySnapshot(s));
      leader.on('replay:delta', (d: DeltaWire) => {
        if (mirror.applyDelta(d) !== 'applied') broken++;
      });
      leader.on('replay:status', (s) => statuses.push(s));
      const opened = (await leader.emitWithAck('replay:open', {
        scope: ZHANGJIAWAN,
        from: START,
        to: END,
        speed: 600,
      })) as ReplayAck;
      expect(opened.ok).toBe(true);
      expect(mirror.scope).toBe(ZHANGJIAWAN);
      expect(opened.ok && opened.status.playing).toBe(false);

      const played = (await leader.emitWithAck('replay:control', { action: 'play' })) as ReplayAck;
      expect(played.ok && played.status.playing).toBe(true);
      await new Promise((r) => setTimeout(r, 1500));
      const paused = (await leader.emitWithAck('replay:control', { action: 'pause' })) as ReplayAck;
      expect(paused.ok).toBe(true);
      const at = paused.ok ? paused.status.at : 0;
      // About 600 s of history per real second.
      expect(at - START).toBeGreaterThan(300_000);
      expect(at - START).toBeLessThan(1_200_000);
      expect(statuses.length).toBeGreaterThan(2);
      expect(statuses.every((s, i) => i === 0 || s.at >= statuses[i - 1]!.at)).toBe(true);

      const stepped = (await leader.emitWithAck('replay:control', { action: 'step' })) as ReplayAck;
      expect(stepped.ok && stepped.status.at).toBe(at + 60_000);

      // Seek back to a recorded moment: the town as the leader saw it live then.
      const moment = MOMENTS[1]!;
      const sought = (await leader.emitWithAck('replay:control', { action: 'seek', at: moment })) as ReplayAck;
      expect(sought.ok && sought.status.at).toBe(moment);
      const expected = new ScopeMirror();
      expected.applySnapshot(recorded.get(moment)!.town);
      expect(rows(mirror)).toEqual(rows(expected));
      expect(new Map([...mirror.tickets].sort())).toEqual(new Map([...expected.tickets].sort()));
      expect(broken).toBe(0);
    } finally {
      leader.disconnect();
    }
  });

  it('refuses another town, a malformed request and a control before open, with the reason', async () => {
    const leader = await socketAs(principals.townLeader);
    try {
      const other = (await leader.emitWithAck('replay:open', { scope: SONGZHUANG, from: START, to: END })) as ReplayAck;
      expect(other).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const district = (await leader.emitWithAck('replay:open', {
        scope: DISTRICT,
        from: START,
        to: END,
      })) as ReplayAck;
      expect(district).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const bad = (await leader.emitWithAck('replay:open', {
        scope: ZHANGJIAWAN,
        from: 'yesterday',
        to: END,
      } as never)) as ReplayAck;
      expect(bad.ok).toBe(false);
      expect(!bad.ok && bad.error.code).toBe('invalid');
      expect(!bad.ok && bad.error.message).toMatch(/\/from/);
      const backwards = (await leader.emitWithAck('replay:open', {
        scope: ZHANGJIAWAN,
        from: END,
        to: START,
      })) as ReplayAck;
      expect(!backwards.ok && backwards.error.message).toMatch(/after/);
      const speed = (await leader.emitWithAck('replay:control', { action: 'speed', speed: 7 } as never)) as ReplayAck;
      expect(!speed.ok && speed.error.code).toBe('invalid');
      const early = (await leader.emitWithAck('replay:control', { action: 'play' })) as ReplayAck;
      expect(!early.ok && early.error.code).toBe('not_open');
      // Messages without an ack, or with garbage, leave the socket working.
      leader.emit('replay:open', null as never, undefined as never);
      leader.emit('replay:control', { action: 'seek', at: -1 } as never, undefined as never);
      const fine = (await leader.emitWithAck('replay:open', { scope: ZHANGJIAWAN, from: START, to: END })) as ReplayAck;
      expect(fine.ok).toBe(true);
    } finally {
      leader.disconnect();
    }
  });
});
