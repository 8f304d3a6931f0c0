// Polygon choropleths (towns, grid cells, property districts, forest clusters) coloured by a metric of their
// live aggregate. The geometry is uploaded once per scope; a new set of values only re-evaluates the colours
// (updateTriggers), so deltas never rebuild the layer.
import { GeoJsonLayer } from '@deck.gl/layers';
import type { AreaGeometry, AreaKey, AreaLevel, LayerFeature } from '../../../server/contract/areas';
import type { AreaAggregate } from '../../../server/contract/live';
import type { ThemeName } from '../../view/url';
import { colorOf, type Metric } from '../metrics';
import { LAYER_THEMES } from '../palette';

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

export function createChoroplethLayer(p: ChoroplethProps) {
  const theme = LAYER_THEMES[p.theme];
  return new GeoJsonLayer<AreaFeature['properties']>({
    id: choroplethId(p.level), // stable: deck.gl diffs by id and keeps the GPU buffers
    data: p.features as never,
    filled: true,
    // Towns have their borders in the basemap; small areas need their own to be told apart.
    stroked: p.level !== 'town',
    getLineColor: theme.outline,
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
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
      getLineColor: [p.theme],
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
