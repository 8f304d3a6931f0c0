// Which alert takes the wall over: severe, open, in the wall's scope; the one on screen keeps it while it is
// open, newer ones queue behind it; an acknowledgement hands the screen to the next or back to the tour.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../server/contract/alerts';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { loadGeo } from '../../server/geo/load';
import { place } from '../../client/view/navigation';
import { focusOf, pickTakeover, takeoverView, takesOver } from '../../client/wall/takeover';
import { wallLink, wallStatus } from '../../client/wall/status';
import { GEO_DIR } from '../helpers/paths';

let tree: AreaTree;
let root: AreaKey;
let songzhuang: AreaKey;
let zhangjiawan: AreaKey;
beforeAll(async () => {
  tree = (await loadGeo(GEO_DIR)).tree;
  root = tree.root as AreaKey;
  const town = (name: string) =>
    Object.values(tree.nodes).find((n) => n.level === 'town' && n.name === name)!.key as AreaKey;
  songzhuang = town('宋庄镇');
  zhangjiawan = town('张家湾镇');
});

let seq = 0;
function alert(id: string, overrides: Partial<Alert> = {}): Alert {
  seq += 1;
  return {
    id,
    rule: 'fire_risk',
    severity: 'severe',
    status: 'open',
    level: 'town',
    area: songzhuang,
    town: songzhuang,
    title: '巡林发现火险',
    subjects: [],
    raisedAt: new Date(Date.parse('2026-04-02T06:00:00Z') + seq * 60_000).toISOString(),
    departments: [],
    actions: [],
    seq,
    ...overrides,
  };
}

describe('which alerts may take the wall', () => {
  it('only severe, open alerts inside the scope', () => {
    expect(takesOver(alert('a'), tree, root)).toBe(true);
    expect(takesOver(alert('a', { severity: 'warning' }), tree, root)).toBe(false);
    expect(takesOver(alert('a', { status: 'acknowledged' }), tree, root)).toBe(false);
    expect(takesOver(alert('a', { status: 'resolved' }), tree, root)).toBe(false);
    // A 张家湾镇 wall never shows 宋庄镇's alert.
    expect(takesOver(alert('a'), tree, zhangjiawan)).toBe(false);
    expect(takesOver(alert('a', { area: zhangjiawan, town: zhangjiawan }), tree, zhangjiawan)).toBe(true);
  });
});

describe('the take-over', () => {
  it('the tour runs while no severe alert is open', () => {
    expect(pickTakeover([alert('w', { severity: 'warning' })], tree, root, null)).toEqual({
      current: null,
      queued: [],
    });
  });

  it('the newest severe open alert takes the screen; a newer one queues behind the one on screen', () => {
    const first = alert('first');
    const t1 = pickTakeover([first], tree, root, null);
    expect(t1.current?.id).toBe('first');
    const second = alert('second');
    const t2 = pickTakeover([second, first], tree, root, t1.current!.id);
    expect(t2.current?.id).toBe('first');
    expect(t2.queued.map((a) => a.id)).toEqual(['second']);
  });

  it('an acknowledgement hands the screen to the next in the queue, then back to the tour', () => {
    const first = alert('first');
    const second = alert('second');
    const acked = { ...first, status: 'acknowledged' as const, seq: first.seq + 10 };
    const t = pickTakeover([second, acked], tree, root, 'first');
    expect(t.current?.id).toBe('second');
    expect(t.queued).toEqual([]);
    const none = pickTakeover([{ ...second, status: 'acknowledged' as const }, acked], tree, root, 'second');
    expect(none.current).toBeNull();
  });

  it('with no alert on screen, several open ones show newest first', () => {
    const older = alert('older');
    const newer = alert('newer');
    const t = pickTakeover([older, newer], tree, root, null);
    expect(t.current?.id).toBe('newer');
    expect(t.queued.map((a) => a.id)).toEqual(['older']);
  });
});

describe('where the map goes', () => {
  it('to the alert point, inside its area, at a level that shows the area', () => {
    const cluster = tree.children[songzhuang]!.find((k) => k.startsWith('forest:')) as AreaKey | undefined;
    const a = alert(
      'f',
      cluster ? { area: cluster, location: { lon: 116.7, lat: 39.95 } } : { location: { lon: 116.7, lat: 39.95 } },
    );
    const focus = focusOf(a, tree, root);
    expect(focus.point).toEqual({ lon: 116.7, lat: 39.95 });
    const view = takeoverView(a, focus);
    const p = place(tree, view);
    expect(p.scope).toBe(songzhuang);
    if (cluster) {
      expect(p.selected).toBe(cluster);
      expect(p.level).toBe('forest');
    }
    expect(view.theme).toBe('wall');
  });

  it('an unknown area falls back to its town, then the wall scope', () => {
    expect(focusOf(alert('x', { area: 'grid:nope' as AreaKey }), tree, root).area).toBe(songzhuang);
    expect(focusOf(alert('x', { area: 'grid:nope' as AreaKey, town: undefined }), tree, root).area).toBe(root);
  });

  it('a flood warning shows the checkpoints, a ticket alert the tickets', () => {
    const flood = alert('fl', { rule: 'flood_warning' });
    expect(takeoverView(flood, focusOf(flood, tree, root))).toMatchObject({
      metric: 'flood',
      overlays: ['checkpoints'],
    });
    const overdue = alert('t', { rule: 'ticket_overdue' });
    expect(takeoverView(overdue, focusOf(overdue, tree, root))).toMatchObject({
      metric: 'overdue',
      overlays: ['tickets'],
    });
  });
});

describe('the link state the wall shows', () => {
  it('live, reconnecting while the socket retries, offline when the machine has no network', () => {
    expect(wallLink('live', true)).toBe('live');
    expect(wallLink('connecting', true)).toBe('connecting');
    expect(wallLink('offline', true)).toBe('reconnecting');
    expect(wallLink('live', false)).toBe('offline');
  });

  it('carries the age of the data', () => {
    const now = 1_000_000;
    expect(wallStatus({ connection: 'live', receivedAt: now - 3_000, seq: 5 }, true, now)).toEqual({
      link: 'live',
      freshness: 'fresh',
      ageSeconds: 3,
    });
    expect(wallStatus({ connection: 'offline', receivedAt: now - 30_000, seq: 5 }, true, now)).toEqual({
      link: 'reconnecting',
      freshness: 'offline',
      ageSeconds: 30,
    });
  });
});

describe('a forest alert placed in a grid cell', () => {
  it('shows the cell with its tickets: a cell has no patrol coverage to colour', () => {
    const cell = tree.children[songzhuang]!.find((k) => k.startsWith('grid:')) as AreaKey;
    const a = alert('g', { area: cell });
    const view = takeoverView(a, focusOf(a, tree, root));
    expect(view).toMatchObject({ area: cell, sub: 'grid', metric: 'open', overlays: ['rangers'] });
  });
});
