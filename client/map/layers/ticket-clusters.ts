// Ticket clusters (工单聚合) at mid zoom: between the district's heatmap and the street-level points, thousands
// of points would be a carpet. Each cluster shows how many tickets it holds, its three largest category
// families as counted chips, and a red ring with the number overdue, so late work still stands out. A click
// flies to the zoom at which the cluster falls apart (supercluster's expansion zoom).
//
// The index is built once per tickets version (clusterTickets); a zoom only asks it for one integer level, so
// panning and the frames between integer zooms cost nothing.
import { CompositeLayer, type GetPickingInfoParams, type Layer, type PickingInfo } from '@deck.gl/core';
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import Supercluster from 'supercluster';
import type { TicketObject } from '../../../server/contract/live';
import type { ThemeName } from '../../view/url';
import { CATEGORY_FAMILIES, FAMILY_OF, FAMILY_RGBA, LAYER_THEMES, OVERDUE_RGBA, type CategoryFamily } from '../palette';

export const TICKET_CLUSTERS_ID = 'ticket-clusters';

/** From this zoom on every ticket is a point of its own (a town's streets are readable at ~14). */
export const TICKET_CLUSTER_MAX_ZOOM = 14;
/** Tickets closer than this many screen pixels are one cluster: a disc and its chips fit in that room. */
export const TICKET_CLUSTER_RADIUS_PX = 56;

export type FamilyCounts = Readonly<Record<CategoryFamily, number>>;

export interface TicketCluster {
  /** supercluster's id: stable for one index, not across tickets versions. */
  id: number;
  position: [number, number];
  count: number;
  overdue: number;
  families: FamilyCounts;
  /** The zoom at which this cluster splits into smaller ones or points (where a click flies to). */
  expansionZoom: number;
}

/** One zoom level of the clustering: the clusters, and the tickets standing alone at that zoom. */
export interface ClusterLevel {
  clusters: TicketCluster[];
  singles: TicketObject[];
}

export interface TicketClustering {
  /** The clusters at a map zoom (fractional zooms use the integer level below: clusters do not flicker). */
  at(zoom: number): ClusterLevel;
}

/**
 * Counts a cluster carries up the tree, flat: supercluster copies a point's properties shallowly before
 * reducing into them, so a nested array would be shared and counted twice.
 */
type Acc = { overdue: number } & Record<CategoryFamily, number>;
interface PointProps {
  i: number;
}

const WORLD: [number, number, number, number] = [-180, -85, 180, 85];

const familyCounts = (acc: Acc): FamilyCounts =>
  Object.fromEntries(CATEGORY_FAMILIES.map((f) => [f, acc[f]])) as Record<CategoryFamily, number>;

/** Builds the cluster index of the tickets (once per tickets version); levels are computed on first ask. */
export function clusterTickets(
  tickets: readonly TicketObject[],
  options: { radius?: number; maxZoom?: number } = {},
): TicketClustering {
  const maxZoom = options.maxZoom ?? TICKET_CLUSTER_MAX_ZOOM;
  const index = new Supercluster<PointProps, Acc>({
    radius: options.radius ?? TICKET_CLUSTER_RADIUS_PX,
    // supercluster's extent of 512 matches MapLibre's 512-pixel tiles: its zoom is the map's zoom.
    extent: 512,
    // Clusters up to the zoom below maxZoom; at maxZoom every ticket stands alone.
    maxZoom: maxZoom - 1,
    map: ({ i }) => {
      const t = tickets[i]!;
      const acc = { overdue: t.overdue ? 1 : 0 } as Acc;
      for (const f of CATEGORY_FAMILIES) acc[f] = 0;
      acc[FAMILY_OF[t.category] ?? 'other'] += 1;
      return acc;
    },
    reduce: (acc, p) => {
      acc.overdue += p.overdue;
      for (const f of CATEGORY_FAMILIES) acc[f] += p[f];
    },
  });
  index.load(
    tickets.map((t, i) => ({
      type: 'Feature' as const,
      properties: { i },
      geometry: { type: 'Point' as const, coordinates: [t.position[0]!, t.position[1]!] },
    })),
  );
  const levels = new Map<number, ClusterLevel>();
  return {
    at(zoom) {
      const z = Math.max(0, Math.min(maxZoom, Math.floor(zoom)));
      const known = levels.get(z);
      if (known) return known;
      const level: ClusterLevel = { clusters: [], singles: [] };
      for (const f of index.getClusters(WORLD, z)) {
        const [lon, lat] = f.geometry.coordinates as [number, number];
        if ('cluster' in f.properties && f.properties.cluster) {
          const p = f.properties;
          level.clusters.push({
            id: p.cluster_id,
            position: [lon, lat],
            count: p.point_count,
            overdue: p.overdue,
            families: familyCounts(p),
            expansionZoom: Math.min(maxZoom, index.getClusterExpansionZoom(p.cluster_id)),
          });
        } else {
          level.singles.push(tickets[(f.properties as PointProps).i]!);
        }
      }
      levels.set(z, level);
      return level;
    },
  };
}

/** The families of a cluster with tickets, largest first (ties in the legend's order). */
export const familiesOf = (c: Pick<TicketCluster, 'families'>): { family: CategoryFamily; count: number }[] =>
  CATEGORY_FAMILIES.map((family) => ({ family, count: c.families[family] }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count);

/** The family with most tickets: the disc's rim takes its colour. */
export const dominantFamily = (c: Pick<TicketCluster, 'families'>): CategoryFamily =>
  familiesOf(c)[0]?.family ?? 'other';

/** Disc radius in pixels: grows with the logarithm of the count, so 1,000 tickets do not cover a town. */
export const clusterRadius = (count: number): number => Math.round(11 + 6 * Math.log10(Math.max(1, count)));

/** Chips under a disc: at most three families, the rest are in the hover card. */
export const CHIP_FAMILIES = 3;
const CHIP_FONT_PX = 11;
/** Rough width of a chip (digits are about 0.62 em in the sans fonts used; padding 4 px each side). */
const chipWidth = (count: number): number => String(count).length * CHIP_FONT_PX * 0.62 + 8;

export interface ClusterChip {
  cluster: TicketCluster;
  family: CategoryFamily;
  count: number;
  /** Pixel offset of the chip's centre from the cluster's centre. */
  offset: [number, number];
}

/** The family chips in a row centred under each disc. */
export function chipsOf(clusters: readonly TicketCluster[]): ClusterChip[] {
  const out: ClusterChip[] = [];
  for (const cluster of clusters) {
    const top = familiesOf(cluster).slice(0, CHIP_FAMILIES);
    const gap = 2;
    const total = top.reduce((w, x) => w + chipWidth(x.count), 0) + gap * (top.length - 1);
    const y = clusterRadius(cluster.count) + 4 + CHIP_FONT_PX / 2 + 2;
    let x = -total / 2;
    for (const { family, count } of top) {
      const w = chipWidth(count);
      out.push({ cluster, family, count, offset: [x + w / 2, y] });
      x += w + gap;
    }
  }
  return out;
}

export interface TicketClusterLayerProps {
  /** A new array per tickets version or zoom level: deck.gl re-reads the accessors when it changes. */
  data: readonly TicketCluster[];
  theme: ThemeName;
}

const DIGITS = '0123456789';
/** Local fonts only, like the river names: no glyph server. */
const FONT = 'Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, sans-serif';

type ClusterLayerProps = TicketClusterLayerProps & { id: string; pickable: boolean };

/** The clusters as one layer (disc, overdue ring, count, chips, overdue badge): one registry kind, one pick. */
export class TicketClusterLayer extends CompositeLayer<ClusterLayerProps> {
  static override layerName = 'TicketClusterLayer';

  // A chip or a badge picks its cluster: the whole group is one target for the hover card and the click.
  override getPickingInfo({ info }: GetPickingInfoParams): PickingInfo {
    const o = info.object as ClusterChip | TicketCluster | null | undefined;
    return o && 'cluster' in o ? { ...info, object: o.cluster } : info;
  }

  override renderLayers(): Layer[] {
    const { data, theme } = this.props;
    const lt = LAYER_THEMES[theme];
    const fill: [number, number, number, number] = theme === 'wall' ? [16, 26, 42, 235] : [255, 255, 255, 240];
    const overdue = data.filter((c) => c.overdue > 0);
    return [
      new ScatterplotLayer<TicketCluster>(
        this.getSubLayerProps({
          id: 'overdue-ring',
          data: overdue,
          getPosition: (c: TicketCluster) => c.position,
          getRadius: (c: TicketCluster) => clusterRadius(c.count) + 4,
          radiusUnits: 'pixels',
          filled: false,
          stroked: true,
          getLineColor: OVERDUE_RGBA,
          lineWidthUnits: 'pixels',
          getLineWidth: 3,
        }),
      ),
      new ScatterplotLayer<TicketCluster>(
        this.getSubLayerProps({
          id: 'disc',
          data,
          getPosition: (c: TicketCluster) => c.position,
          getRadius: (c: TicketCluster) => clusterRadius(c.count),
          radiusUnits: 'pixels',
          getFillColor: fill,
          stroked: true,
          getLineColor: (c: TicketCluster) => FAMILY_RGBA[dominantFamily(c)],
          lineWidthUnits: 'pixels',
          getLineWidth: 4,
          updateTriggers: { getFillColor: [theme] },
        }),
      ),
      new TextLayer<TicketCluster>(
        this.getSubLayerProps({
          id: 'count',
          data,
          getPosition: (c: TicketCluster) => c.position,
          getText: (c: TicketCluster) => String(c.count),
          getColor: lt.text,
          getSize: 13,
          sizeUnits: 'pixels',
          fontWeight: 700,
          characterSet: DIGITS,
          fontFamily: FONT,
          updateTriggers: { getColor: [theme] },
        }),
      ),
      new TextLayer<ClusterChip>(
        this.getSubLayerProps({
          id: 'chips',
          data: chipsOf(data),
          getPosition: (c: ClusterChip) => c.cluster.position,
          getPixelOffset: (c: ClusterChip) => c.offset,
          getText: (c: ClusterChip) => String(c.count),
          getColor: [255, 255, 255, 255],
          getSize: CHIP_FONT_PX,
          sizeUnits: 'pixels',
          fontWeight: 700,
          characterSet: DIGITS,
          fontFamily: FONT,
          background: true,
          getBackgroundColor: (c: ClusterChip) => FAMILY_RGBA[c.family],
          backgroundPadding: [3, 1, 3, 1],
        }),
      ),
      new TextLayer<TicketCluster>(
        this.getSubLayerProps({
          id: 'overdue-badge',
          data: overdue,
          getPosition: (c: TicketCluster) => c.position,
          getPixelOffset: (c: TicketCluster) => {
            const r = clusterRadius(c.count);
            return [r * 0.8, -r * 0.8];
          },
          getText: (c: TicketCluster) => String(c.overdue),
          getColor: [255, 255, 255, 255],
          getSize: CHIP_FONT_PX,
          sizeUnits: 'pixels',
          fontWeight: 700,
          characterSet: DIGITS,
          fontFamily: FONT,
          background: true,
          getBackgroundColor: OVERDUE_RGBA,
          backgroundPadding: [3, 1, 3, 1],
        }),
      ),
    ];
  }
}

export function createTicketClusterLayer(p: TicketClusterLayerProps) {
  return new TicketClusterLayer({ id: TICKET_CLUSTERS_ID, data: p.data, theme: p.theme, pickable: true });
}
