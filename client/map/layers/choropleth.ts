// Polygon choropleths (towns, grid cells, property districts, forest clusters) coloured by a metric of their
// live aggregate. The geometry is uploaded once per scope; a new set of values only re-evaluates the colours
// (updateTriggers), so deltas never rebuild the layer.
import type { Layer } from '@deck.gl/core';
import { GeoJsonLayer, LineLayer } from '@deck.gl/layers';
import type { AreaGeometry, AreaKey, AreaLevel, LayerFeature } from '../../../server/contract/areas';
import type { AreaAggregate } from '../../../server/contract/live';
import type { ThemeName } from '../../view/url';
import { colorOf, type Metric } from '../metrics';
import { LAYER_THEMES, type Rgba } from '../palette';

/** Any area layer's feature: every area layer has an id, the small ones also their town. */
export type AreaFeature = LayerFeature<{ id: string; name?: string; townId?: string }, AreaGeometry>;
export type ChoroplethLevel = Exclude<AreaLevel, 'district'>;

export const choroplethId = (level: ChoroplethLevel) => `choropleth-${level}`;
export const SELECTED_AREA_ID = 'area-selected';

export interface ChoroplethProps {
  level: ChoroplethLevel;
  /** The areas to colour: the towns, or the open town's cells of one level (see areasInScope). */
  features: readonly AreaFeature[];
  aggregates: ReadonlyMap<string, AreaAggregate>;
  /** Bumped whenever `aggregates` changed; the layer re-colours on a new version only. */
  version: number;
  metric: Metric;
  theme: ThemeName;
  /** MapLibre layer to draw beneath (interleaved): town lines, rivers and the district border stay on top. */
  beforeId?: string;
}

/** The features of `keys` (the placement's areas), in the tree's order; the rest of the layer is not drawn. */
export function areasInScope(
  features: readonly AreaFeature[],
  level: ChoroplethLevel,
  keys: readonly AreaKey[],
): AreaFeature[] {
  const wanted = new Set<string>(keys);
  return features.filter((f) => wanted.has(`${level}:${f.properties.id}`));
}

/** One straight piece of border between two vertices. */
export interface BorderSegment {
  from: [number, number];
  to: [number, number];
}

const bordersCache = new WeakMap<readonly AreaFeature[], readonly BorderSegment[]>();

/**
 * The areas' borders as segments, each shared edge once (neighbouring cells share theirs): about half the
 * segments of every ring drawn whole. Cached per feature list, which changes with the scope and level only.
 */
export function bordersOf(features: readonly AreaFeature[]): readonly BorderSegment[] {
  const cached = bordersCache.get(features);
  if (cached) return cached;
  const seen = new Set<string>();
  const out: BorderSegment[] = [];
  for (const f of features) {
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const ring of polygons.flat()) {
      for (let i = 1; i < ring.length; i++) {
        const a = ring[i - 1]!;
        const b = ring[i]!;
        const [ka, kb] = [`${a[0]},${a[1]}`, `${b[0]},${b[1]}`];
        const key = ka < kb ? `${ka};${kb}` : `${kb};${ka}`;
        if (ka === kb || seen.has(key)) continue;
        seen.add(key);
        out.push({ from: [a[0]!, a[1]!], to: [b[0]!, b[1]!] });
      }
    }
  }
  bordersCache.set(features, out);
  return out;
}

interface BorderProps {
  /** Drawn as one-pixel lines above the fill; empty: no borders. */
  borders: readonly BorderSegment[];
  borderColor: Rgba;
}

/**
 * The choropleth: deck.gl's GeoJsonLayer for the fill (picking, highlight), with the borders as a LineLayer of
 * segments instead of its outline paths. A PathLayer's vertex shader works out joins and caps for every
 * segment, and under software WebGL 35,000 border segments took seconds a frame (docs/BENCHMARKS.md); a
 * one-pixel border needs no joins.
 */
class AreaLayer extends GeoJsonLayer<AreaFeature['properties'], BorderProps> {
  static override layerName = 'AreaLayer';

  override renderLayers() {
    const own = super.renderLayers();
    const { borders, borderColor } = this.props;
    if (borders.length === 0) return own;
    const lines = new LineLayer<BorderSegment>(this.getSubLayerProps({ id: 'borders' }), {
      data: borders,
      getSourcePosition: (b) => b.from,
      getTargetPosition: (b) => b.to,
      getColor: borderColor,
      getWidth: 1,
      widthUnits: 'pixels',
      pickable: false,
    });
    return [...own, lines as Layer];
  }
}

export function createChoroplethLayer(p: ChoroplethProps) {
  const theme = LAYER_THEMES[p.theme];
  return new AreaLayer({
    id: choroplethId(p.level), // stable: deck.gl diffs by id and keeps the GPU buffers
    data: p.features as never,
    filled: true,
    stroked: false,
    // Towns have their borders in the basemap; small areas need their own to be told apart.
    borders: p.level === 'town' ? [] : bordersOf(p.features),
    borderColor: theme.outline,
    pickable: true,
    autoHighlight: true,
    highlightColor: theme.hover,
    ...(p.beforeId ? { beforeId: p.beforeId } : {}),
    getFillColor: (f) => {
      const a = p.aggregates.get(`${p.level}:${f.properties.id}`);
      return colorOf(p.metric, p.level, a ? p.metric.value(a) : null, p.theme);
    },
    updateTriggers: {
      getFillColor: [p.metric.key, p.metric.window, p.version, p.theme],
    },
    // No colour transition: starting one makes deck.gl 9.4 read the layer's GPU buffer back synchronously,
    // which stalls the page for a whole frame on every delta (seconds under software rendering; see
    // docs/BENCHMARKS.md). A class change is a step the duty officer should see as a step anyway.
  });
}

export interface SelectedAreaProps {
  feature: AreaFeature | null;
  theme: ThemeName;
}

/** The open cell's border, drawn above everything so the selection reads at any zoom. */
export function createSelectedAreaLayer(p: SelectedAreaProps) {
  return new GeoJsonLayer<AreaFeature['properties']>({
    id: SELECTED_AREA_ID,
    data: (p.feature ? [p.feature] : []) as never,
    filled: false,
    stroked: true,
    getLineColor: LAYER_THEMES[p.theme].selected,
    lineWidthUnits: 'pixels',
    getLineWidth: 3,
    updateTriggers: { getLineColor: [p.theme] },
  });
}
