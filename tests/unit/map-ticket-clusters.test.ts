// The ticket clustering step as a pure function (no WebGL): counts by category family, overdue counts, the
// expansion zoom a click flies to, and the layer and registry entry built on it.
import { describe, expect, it } from 'vitest';
import type { TicketCategory } from '../../server/contract/events';
import type { TicketObject } from '../../server/contract/live';
import { CATEGORY_FAMILIES, FAMILY_RGBA } from '../../client/map/palette';
import { LAYER_REGISTRY, isShown, kindOfLayerId, pickedOf } from '../../client/map/layers/registry';
import {
  chipsOf,
  CHIP_FAMILIES,
  clusterRadius,
  clusterTickets,
  createTicketClusterLayer,
  dominantFamily,
  familiesOf,
  TICKET_CLUSTER_MAX_ZOOM,
  TICKET_CLUSTERS_ID,
  TicketClusterLayer,
  type TicketCluster,
} from '../../client/map/layers/ticket-clusters';

let n = 0;
function ticket(lon: number, lat: number, category: TicketCategory, overdue = false): TicketObject {
  n++;
  return {
    id: `T${n}`,
    category,
    urgency: 'normal',
    status: 'dispatched',
    title: '工单',
    position: [lon, lat],
    createdAt: '2026-12-07T08:00:00+08:00',
    responseDueAt: '2026-12-07T10:00:00+08:00',
    resolveDueAt: '2026-12-10T08:00:00+08:00',
    overdue,
    nearDeadline: false,
    escalatedTo: [],
  } as TicketObject;
}

// A: 30 tickets within ~50 m of one corner in Tongzhou; B: 6 tickets 15 km east; C: one ticket on its own.
const A: TicketObject[] = [
  ...Array.from({ length: 12 }, (_, i) => ticket(116.65 + i * 5e-5, 39.9, 'road', i < 3)), // traffic
  ...Array.from({ length: 8 }, (_, i) => ticket(116.65, 39.9 + i * 5e-5, 'sanitation', i < 1)), // environment
  ...Array.from({ length: 6 }, (_, i) => ticket(116.6502, 39.9002 + i * 4e-5, 'heating')), // property
  ...Array.from({ length: 4 }, (_, i) => ticket(116.6504 + i * 3e-5, 39.9001, 'waterlogging', true)), // water
];
const B: TicketObject[] = Array.from({ length: 6 }, (_, i) => ticket(116.83 + i * 1e-4, 39.95, 'noise', i % 2 === 0));
const C = ticket(116.45, 40.1, 'e_bike', true);
const ALL = [...A, ...B, C];

const total = (cs: readonly TicketCluster[], singles: readonly TicketObject[]) =>
  cs.reduce((s, c) => s + c.count, 0) + singles.length;

describe('clusterTickets (pure)', () => {
  it('at mid zoom: one cluster per group with its counts by category family and its overdue count', () => {
    const { clusters, singles } = clusterTickets(ALL).at(11);
    expect(clusters).toHaveLength(2);
    const a = clusters.find((c) => c.count === 30)!;
    const b = clusters.find((c) => c.count === 6)!;
    expect(a.families).toEqual({
      environment: 8,
      property: 6,
      safety: 0,
      construction: 0,
      traffic: 12,
      community: 0,
      water: 4,
      other: 0,
    });
    expect(a.overdue).toBe(3 + 1 + 4);
    expect(b.families.community).toBe(6);
    expect(b.overdue).toBe(3);
    // The lone ticket stays a ticket: the map draws it as a point, pickable for the detail panel.
    expect(singles).toEqual([C]);
    // The cluster sits among its tickets.
    expect(a.position[0]).toBeCloseTo(116.6502, 3);
    expect(a.position[1]).toBeCloseTo(39.9002, 3);
  });

  it('keeps every ticket at every zoom, and at the points zoom every ticket stands alone', () => {
    const clustering = clusterTickets(ALL);
    for (let z = 0; z <= TICKET_CLUSTER_MAX_ZOOM; z++) {
      const { clusters, singles } = clustering.at(z);
      expect(total(clusters, singles), `zoom ${z}`).toBe(ALL.length);
      const overdue = clusters.reduce((s, c) => s + c.overdue, 0) + singles.filter((t) => t.overdue).length;
      expect(overdue, `overdue at zoom ${z}`).toBe(ALL.filter((t) => t.overdue).length);
    }
    const top = clustering.at(TICKET_CLUSTER_MAX_ZOOM);
    expect(top.clusters).toEqual([]);
    expect(new Set(top.singles)).toEqual(new Set(ALL));
    // Far out, everything is one cluster.
    expect(clustering.at(5).clusters.map((c) => c.count)).toEqual([ALL.length]);
  });

  it('gives the expansion zoom: the first zoom at which the cluster splits', () => {
    const clustering = clusterTickets(ALL);
    for (let z = 9; z < TICKET_CLUSTER_MAX_ZOOM; z++) {
      for (const c of clustering.at(z).clusters) {
        expect(c.expansionZoom, `cluster of ${c.count} at ${z}`).toBeGreaterThan(z);
        expect(c.expansionZoom).toBeLessThanOrEqual(TICKET_CLUSTER_MAX_ZOOM);
        // One level before it the same tickets are still one cluster; at it, none holds them all.
        const before = clustering.at(c.expansionZoom - 1);
        const at = clustering.at(c.expansionZoom);
        const near = (x: TicketCluster) =>
          Math.abs(x.position[0] - c.position[0]) < 0.01 && Math.abs(x.position[1] - c.position[1]) < 0.01;
        expect(before.clusters.some((x) => near(x) && x.count === c.count)).toBe(true);
        expect(at.clusters.some((x) => near(x) && x.count === c.count)).toBe(false);
      }
    }
    // Group A (30 tickets within ~50 m) holds together to the points zoom; B's 6 (80 m apart) also.
    const a = clustering.at(11).clusters.find((c) => c.count === 30)!;
    expect(a.expansionZoom).toBe(TICKET_CLUSTER_MAX_ZOOM);
  });

  it('reads a fractional zoom as the level below, and computes each level once', () => {
    const clustering = clusterTickets(ALL);
    const l12 = clustering.at(12);
    expect(clustering.at(12.2)).toBe(l12);
    expect(clustering.at(12.99)).toBe(l12);
    expect(clustering.at(13)).not.toBe(l12);
    expect(clustering.at(20)).toBe(clustering.at(TICKET_CLUSTER_MAX_ZOOM));
  });

  it('handles no tickets', () => {
    expect(clusterTickets([]).at(11)).toEqual({ clusters: [], singles: [] });
  });
});

describe('cluster drawing', () => {
  const a = clusterTickets(ALL)
    .at(11)
    .clusters.find((c) => c.count === 30)!;

  it('lists families largest first; the dominant one colours the rim', () => {
    expect(familiesOf(a).map((f) => f.family)).toEqual(['traffic', 'environment', 'property', 'water']);
    expect(dominantFamily(a)).toBe('traffic');
  });

  it('puts at most three family chips in a row centred under the disc', () => {
    const chips = chipsOf([a]);
    expect(chips).toHaveLength(CHIP_FAMILIES);
    expect(chips.map((c) => [c.family, c.count])).toEqual([
      ['traffic', 12],
      ['environment', 8],
      ['property', 6],
    ]);
    const xs = chips.map((c) => c.offset[0]);
    expect(xs[0]! < xs[1]! && xs[1]! < xs[2]!).toBe(true);
    expect(Math.abs(xs[0]! + xs[2]!)).toBeLessThan(6);
    for (const c of chips) expect(c.offset[1]).toBeGreaterThan(clusterRadius(a.count));
  });

  it('grows the disc with the logarithm of the count', () => {
    expect(clusterRadius(2)).toBeLessThan(clusterRadius(30));
    expect(clusterRadius(10_000)).toBeLessThanOrEqual(35);
  });

  it('is one registry kind on the tickets overlay; a pick of it (or of its chip) expands the cluster', () => {
    const layer = createTicketClusterLayer({ data: [a], theme: 'day' });
    expect(layer).toBeInstanceOf(TicketClusterLayer);
    expect(layer.id).toBe(TICKET_CLUSTERS_ID);
    expect(layer.props.pickable).toBe(true);
    expect(kindOfLayerId(TICKET_CLUSTERS_ID)).toBe('ticketClusters');
    expect(LAYER_REGISTRY.ticketClusters.overlay).toBe('tickets');
    expect(isShown('ticketClusters', ['tickets'])).toBe(true);
    expect(isShown('ticketClusters', [])).toBe(false);
    expect(pickedOf(TICKET_CLUSTERS_ID, a)).toEqual({ kind: 'cluster', cluster: a });
    const chip = chipsOf([a])[0]!;
    const info = layer.getPickingInfo({ info: { object: chip } as never, mode: 'query', sourceLayer: null });
    expect(info.object).toBe(a);
    expect(FAMILY_RGBA[chip.family]).toEqual(FAMILY_RGBA.traffic);
    expect(CATEGORY_FAMILIES).toContain(chip.family);
  });
});
