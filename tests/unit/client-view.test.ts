// The view in the URL and where it sits in the real area tree: a link reproduces the view, a broken link
// still opens on the district, and every level drills to the right scope, map level and breadcrumb.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { loadGeo } from '../../server/geo/load';
import { defaultView, formatView, parseView, type ViewState } from '../../client/view/url';
import { parentView, place } from '../../client/view/navigation';
import { filterTickets, matchesTicket, NO_FILTER } from '../../client/view/ticket-filter';
import type { TicketObject } from '../../server/contract/live';
import { shortName } from '../../client/geo/names';
import { GEO_DIR } from '../helpers/paths';

let tree: AreaTree;
let root: AreaKey;
beforeAll(async () => {
  tree = (await loadGeo(GEO_DIR)).tree;
  root = tree.root as AreaKey;
});

const townNamed = (name: string) =>
  Object.values(tree.nodes).find((n) => n.level === 'town' && n.name === name)!.key as AreaKey;

describe('the view in the URL', () => {
  it('round-trips every field, and leaves the defaults out of the link', () => {
    expect(formatView(defaultView(root), root)).toBe('');
    const v: ViewState = {
      area: townNamed('张家湾镇'),
      sub: 'forest',
      metric: 'resolutionRate',
      overlays: ['tickets', 'coverage'],
      theme: 'day',
      rates: 'year',
    };
    const search = formatView(v, root);
    expect(search).toContain('metric=resolutionRate');
    expect(search).toContain('rates=year');
    expect(parseView(search, root)).toEqual(v);
  });

  it('falls back to the default for anything it does not know', () => {
    const v = parseView('?area=%3Cscript%3E&metric=nope&sub=x&theme=neon&layers=tickets,bogus&rates=week', root);
    expect(v).toEqual({ ...defaultView(root), overlays: ['tickets'] });
  });

  it('opens the layer of a child area named in the link', () => {
    const town = townNamed('永乐店镇');
    const cluster = tree.children[town]!.find((k) => k.startsWith('forest:')) as AreaKey;
    expect(parseView(`?area=${cluster}&sub=grid`, root).sub).toBe('forest');
  });
});

describe('placement in the area tree', () => {
  it('colours the towns at district level and lists all 22', () => {
    const p = place(tree, defaultView(root));
    expect(p).toMatchObject({ scope: root, level: 'town', selected: null, known: true });
    expect(p.areas).toHaveLength(22);
    expect(p.trail.map((n) => n.name)).toEqual(['通州区']);
  });

  it('follows a town and lists its grid cells, property districts or forest clusters', () => {
    const town = townNamed('玉桥街道');
    const grid = place(tree, { ...defaultView(root), area: town });
    expect(grid.scope).toBe(town);
    expect(grid.level).toBe('grid');
    expect(grid.areas.length).toBeGreaterThan(10);
    expect(grid.areas.every((k) => tree.nodes[k]?.parent === town)).toBe(true);
    const property = place(tree, { ...defaultView(root), area: town, sub: 'property' });
    expect(property.areas).toHaveLength(41); // 玉桥's 41 property-management districts
    expect(grid.trail.map((n) => n.name)).toEqual(['通州区', '玉桥街道']);
  });

  it('opens a grid cell inside its town: the socket stays on the town, the cell is selected', () => {
    const town = townNamed('宋庄镇');
    const cell = tree.children[town]!.find((k) => k.startsWith('grid:')) as AreaKey;
    const p = place(tree, parseView(`?area=${cell}`, root));
    expect(p).toMatchObject({ scope: town, level: 'grid', selected: cell, known: true });
    expect(p.trail.map((n) => n.key)).toEqual([root, town, cell]);
    // Up one level: the town, then the district.
    const up = parentView(tree, parseView(`?area=${cell}`, root))!;
    expect(up.area).toBe(town);
    expect(parentView(tree, up)!.area).toBe(root);
    expect(parentView(tree, parentView(tree, up)!)).toBeNull();
  });

  it('says when the link names an area that does not exist, and shows the district', () => {
    const p = place(tree, parseView('?area=town:999999999', root));
    expect(p.known).toBe(false);
    expect(p.scope).toBe(root);
  });
});

describe('the ticket filter shared by the table and the map', () => {
  const t = (id: string, over: Partial<TicketObject>): TicketObject => ({
    id,
    category: 'noise',
    urgency: 'normal',
    status: 'received',
    title: id,
    position: [116.7, 39.9],
    createdAt: '2026-07-20T10:00:00+08:00',
    responseDueAt: '2026-07-20T12:00:00+08:00',
    resolveDueAt: '2026-07-22T10:00:00+08:00',
    overdue: false,
    nearDeadline: false,
    escalatedTo: [],
    ...over,
  });
  const tickets = [
    t('A', { place: { townId: '110112004', gridId: 'g1' } }),
    t('B', { place: { townId: '110112004', gridId: 'g2' }, overdue: true, resolveDueAt: '2026-07-21T10:00:00+08:00' }),
    t('C', { place: { townId: '110112005' }, category: 'heating', nearDeadline: true }),
  ];

  it('selects by area at any level, category, status and overdue', () => {
    expect(filterTickets(tickets, { ...NO_FILTER, area: 'town:110112004' as AreaKey }).map((x) => x.id)).toEqual([
      'B',
      'A',
    ]);
    expect(filterTickets(tickets, { ...NO_FILTER, area: 'grid:g1' as AreaKey }).map((x) => x.id)).toEqual(['A']);
    expect(filterTickets(tickets, { ...NO_FILTER, category: 'heating' }).map((x) => x.id)).toEqual(['C']);
    expect(filterTickets(tickets, { ...NO_FILTER, overdue: false }).map((x) => x.id)).toEqual(['C', 'A']);
    expect(matchesTicket(tickets[0]!, { ...NO_FILTER, status: 'closed' })).toBe(false);
  });

  it('orders the most urgent first: overdue, then near deadline, then by deadline', () => {
    expect(filterTickets(tickets, NO_FILTER).map((x) => x.id)).toEqual(['B', 'C', 'A']);
  });
});

describe('area names on screen', () => {
  it('drops the town from a grid cell name shown beside its town, and keeps every other name whole', () => {
    const town = townNamed('宋庄镇');
    const cell = tree.children[town]!.find((k) => k.startsWith('grid:'))!;
    expect(tree.nodes[cell]!.name.startsWith('宋庄镇·')).toBe(true);
    expect(shortName(tree, cell)).toBe(tree.nodes[cell]!.name.slice('宋庄镇·'.length));
    expect(shortName(tree, town)).toBe('宋庄镇');
    const cluster = tree.children[townNamed('永乐店镇')]!.find((k) => k.startsWith('forest:'))!;
    expect(shortName(tree, cluster)).toBe(tree.nodes[cluster]!.name);
    expect(shortName(tree, 'grid:nope')).toBe('grid:nope');
  });
});
