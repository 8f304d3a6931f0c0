// The client's alert store (inbox order, the newer copy of an alert wins, a reload on reconnect replaces the
// list without undoing what the socket already brought) and the client's scope decisions: which screen a
// principal opens on, when a URL's area is "not in your area", and the wall's device token leaving the URL.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertList } from '../../server/contract/alerts';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { loadGeo } from '../../server/geo/load';
import { AlertStore, feedAlerts, openAlerts, RESOLVED_KEEP_MS, type AlertSocket } from '../../client/live/alerts';
import { refusedArea, screenFor, takeDeviceToken } from '../../client/auth/scope';
import { alertActions } from '../../client/panels/AlertInbox';
import { newSevere } from '../../client/panels/alert-sound';
import { GEO_DIR } from '../helpers/paths';

const NOW = Date.parse('2026-07-20T08:00:00Z');
const iso = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

function alert(id: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    rule: 'ticket_overdue',
    severity: 'warning',
    status: 'open',
    level: 'town',
    area: 'town:110112105',
    town: 'town:110112105',
    title: id,
    subjects: [],
    raisedAt: iso(10),
    departments: [],
    actions: [{ seq: 1, at: iso(10), kind: 'alert.raised' }],
    seq: 1,
    ...over,
  };
}

describe('AlertStore', () => {
  it('lists open before resolved, severe before warning, newest first', () => {
    const store = new AlertStore();
    store.replace(
      {
        seq: 10,
        items: [
          alert('old-warning', { raisedAt: iso(60) }),
          alert('new-warning', { raisedAt: iso(5) }),
          alert('old-severe', { severity: 'severe', raisedAt: iso(90) }),
          alert('resolved-severe', { severity: 'severe', status: 'resolved', raisedAt: iso(1), resolvedAt: iso(1) }),
          alert('info', { severity: 'info', raisedAt: iso(0) }),
        ],
      },
      NOW,
    );
    expect(store.getAlerts().map((a) => a.id)).toEqual([
      'old-severe',
      'new-warning',
      'old-warning',
      'info',
      'resolved-severe',
    ]);
    expect(openAlerts(store.getAlerts())).toBe(4);
  });

  it('keeps the copy with the higher seq, whichever arrives first', () => {
    const store = new AlertStore();
    const acked = alert('a', { status: 'acknowledged', seq: 7, acknowledgedAt: iso(2) });
    expect(store.upsert(acked, NOW)).toBe(true);
    expect(store.upsert(alert('a', { seq: 3 }), NOW)).toBe(false);
    expect(store.get('a')?.status).toBe('acknowledged');
    const resolved = alert('a', { status: 'resolved', seq: 9, resolvedAt: iso(1) });
    expect(store.upsert(resolved, NOW)).toBe(true);
    expect(store.get('a')?.status).toBe('resolved');
  });

  it('hands out a new list on each change and tells subscribers, not on a stale copy', () => {
    const store = new AlertStore();
    let told = 0;
    store.subscribe(() => told++);
    store.upsert(alert('a', { seq: 2 }), NOW);
    const first = store.getAlerts();
    store.upsert(alert('a', { seq: 1 }), NOW);
    expect(store.getAlerts()).toBe(first);
    store.upsert(alert('b', { seq: 3 }), NOW);
    expect(store.getAlerts()).not.toBe(first);
    expect(told).toBe(2);
  });

  it('a reload replaces the list, but keeps what the socket brought after the list was made', () => {
    const store = new AlertStore();
    store.replace({ seq: 5, items: [alert('gone', { seq: 2 }), alert('kept', { seq: 4 })] }, NOW);
    // Between the server building the list (seq 20) and its answer arriving, the socket brings seq 25.
    store.upsert(alert('kept', { status: 'acknowledged', seq: 25 }), NOW);
    store.upsert(alert('fresh', { seq: 24 }), NOW);
    store.replace({ seq: 20, items: [alert('kept', { seq: 12 }), alert('new', { seq: 15 })] }, NOW);
    expect(store.get('gone')).toBeUndefined();
    expect(store.get('kept')?.seq).toBe(25);
    expect(store.get('kept')?.status).toBe('acknowledged');
    expect(store.get('fresh')?.seq).toBe(24);
    expect(store.get('new')?.seq).toBe(15);
    expect(store.loads).toBe(2);
  });

  it('lets resolved alerts go after a day, never open ones', () => {
    const store = new AlertStore();
    const long = (RESOLVED_KEEP_MS + 60_000) / 60_000;
    store.replace(
      {
        seq: 3,
        items: [
          alert('stale', { status: 'resolved', resolvedAt: iso(long) }),
          alert('recent', { status: 'resolved', resolvedAt: iso(30) }),
          alert('open', { raisedAt: iso(long * 2) }),
        ],
      },
      NOW,
    );
    expect(
      store
        .getAlerts()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['open', 'recent']);
  });
});

describe('feedAlerts', () => {
  class FakeSocket implements AlertSocket {
    private readonly handlers = new Map<string, (alert: Alert) => void>();
    on(event: 'connect', listener: () => void): unknown;
    on(event: 'alert:changed', listener: (alert: Alert) => void): unknown;
    on(event: string, listener: (alert: Alert) => void): unknown {
      this.handlers.set(event, listener);
      return this;
    }
    emit(event: 'connect'): void;
    emit(event: 'alert:changed', alert: Alert): void;
    emit(event: string, arg?: Alert): void {
      this.handlers.get(event)?.(arg as Alert);
    }
  }

  it('loads the list on every connect, applies changes in between, drops an overtaken answer', async () => {
    const socket = new FakeSocket();
    const store = new AlertStore();
    const answers: Array<(list: AlertList) => void> = [];
    feedAlerts(socket, store, () => new Promise<AlertList>((resolve) => answers.push(resolve)));

    socket.emit('connect');
    answers[0]!({ seq: 1, items: [alert('a', { raisedAt: new Date().toISOString() })] });
    await Promise.resolve();
    expect(store.getAlerts().map((a) => a.id)).toEqual(['a']);

    socket.emit('alert:changed', alert('b', { seq: 2, raisedAt: new Date().toISOString() }));
    expect(store.get('b')).toBeDefined();

    // A reconnect, then another before the first reload answers: only the later answer counts.
    socket.emit('connect');
    socket.emit('connect');
    answers[2]!({ seq: 5, items: [alert('c', { seq: 4, raisedAt: new Date().toISOString() })] });
    await Promise.resolve();
    answers[1]!({ seq: 3, items: [alert('old', { seq: 3 })] });
    await Promise.resolve();
    expect(store.getAlerts().map((a) => a.id)).toEqual(['c']);
    expect(answers).toHaveLength(3);
  });

  it('keeps the alerts it has when a reload fails', async () => {
    const socket = new FakeSocket();
    const store = new AlertStore();
    store.upsert(alert('a', { raisedAt: new Date().toISOString() }));
    const errors: unknown[] = [];
    feedAlerts(
      socket,
      store,
      () => Promise.reject(new Error('HTTP 503')),
      (e) => errors.push(e),
    );
    socket.emit('connect');
    await new Promise((r) => setTimeout(r, 0));
    expect(store.get('a')).toBeDefined();
    expect(errors).toHaveLength(1);
  });
});

describe('scope decisions', () => {
  let tree: AreaTree;
  const townNamed = (name: string) =>
    Object.values(tree.nodes).find((n) => n.level === 'town' && n.name === name)!.key as AreaKey;
  beforeAll(async () => {
    tree = (await loadGeo(GEO_DIR)).tree;
  });

  it('shows a town leader "not in your area" for another town and its grid cells, never for their own', () => {
    const zjw = townNamed('张家湾镇');
    const sz = townNamed('宋庄镇');
    const szCell = tree.children[sz]!.find((k) => k.startsWith('grid:')) as AreaKey;
    const zjwCell = tree.children[zjw]!.find((k) => k.startsWith('grid:')) as AreaKey;
    const root = tree.root as AreaKey;
    expect(refusedArea(tree, zjw, sz, null)).toBe(sz);
    expect(refusedArea(tree, zjw, szCell, null)).toBe(szCell);
    expect(refusedArea(tree, zjw, root, null)).toBe(root);
    expect(refusedArea(tree, zjw, zjw, null)).toBeNull();
    expect(refusedArea(tree, zjw, zjwCell, null)).toBeNull();
    // A district officer sees every town.
    expect(refusedArea(tree, root, sz, null)).toBeNull();
    // An unknown area is the dashboard's own notice, not a refusal.
    expect(refusedArea(tree, zjw, 'town:999' as AreaKey, null)).toBeNull();
  });

  it('shows the server refusal while the view is in the refused area, and drops it on leaving', () => {
    const zjw = townNamed('张家湾镇');
    const sz = townNamed('宋庄镇');
    const szCell = tree.children[sz]!.find((k) => k.startsWith('grid:')) as AreaKey;
    const root = tree.root as AreaKey;
    // The client thought the district officer could see 宋庄镇; the server disagreed.
    expect(refusedArea(tree, root, sz, sz)).toBe(sz);
    expect(refusedArea(tree, root, szCell, sz)).toBe(sz);
    expect(refusedArea(tree, root, zjw, sz)).toBeNull();
  });

  it('sends /wall and wall devices to the wall, leaders to their landing unless a link names an area', () => {
    expect(screenFor('/wall', '', { role: 'admin' })).toBe('wall');
    expect(screenFor('/', '', { role: 'wall' })).toBe('wall');
    expect(screenFor('/', '', { role: 'leader' })).toBe('landing');
    expect(screenFor('/', '?area=town:110112104', { role: 'leader' })).toBe('dashboard');
    expect(screenFor('/', '', { role: 'officer' })).toBe('dashboard');
    expect(screenFor('/', '', { role: 'admin' })).toBe('dashboard');
  });

  it('takes the device token off the wall URL and keeps the rest', () => {
    expect(takeDeviceToken('http://h/wall?device=abc.def&theme=wall#x')).toEqual({
      token: 'abc.def',
      cleaned: '/wall?theme=wall#x',
    });
    expect(takeDeviceToken('http://h/wall')).toEqual({ token: null, cleaned: '/wall' });
    expect(takeDeviceToken('http://h/wall?device=')).toEqual({ token: null, cleaned: '/wall' });
  });
});

describe('the inbox', () => {
  it('offers officers and admins every action, leaders notes only, walls nothing', () => {
    expect(alertActions({ role: 'officer' }, { status: 'open' })).toEqual([
      'acknowledge',
      'note',
      'whistle',
      'resolve',
    ]);
    expect(alertActions({ role: 'admin' }, { status: 'acknowledged' })).toEqual(['note', 'whistle', 'resolve']);
    expect(alertActions({ role: 'officer' }, { status: 'resolved' })).toEqual(['note']);
    expect(alertActions({ role: 'leader' }, { status: 'open' })).toEqual(['note']);
    expect(alertActions({ role: 'wall' }, { status: 'open' })).toEqual([]);
  });

  it('sounds for a severe open alert that is new, not for those on the screen when it opened', () => {
    const seen = new Set<string>();
    expect(newSevere([alert('s1', { severity: 'severe' })], seen, true)).toEqual([]);
    const next = [
      alert('s1', { severity: 'severe' }),
      alert('s2', { severity: 'severe' }),
      alert('w', { severity: 'warning' }),
      alert('s3', { severity: 'severe', status: 'acknowledged' }),
    ];
    expect(newSevere(next, seen, false)).toEqual(['s2']);
    expect(newSevere(next, seen, false)).toEqual([]);
  });
});
