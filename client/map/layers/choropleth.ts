// Polygon choropleth: areas coloured by a metric of their live aggregate. The geometry is uploaded once;
// a new set of values only re-evaluates the colours (updateTriggers), so deltas never rebuild the layer.
import { GeoJsonLayer } from '@deck.gl/layers';
import type { AreaLevel, LayerCollection } from '../../../server/contract/areas';
import type { AreaAggregate } from '../../../server/contract/live';
import { colorOf, type Metric } from '../metrics';

type AreaFeature = LayerCollection<{ id: string }>['features'][number];

export interface ChoroplethProps {
  level: AreaLevel;
  data: LayerCollection<{ id: string }>;
  aggregates: ReadonlyMap<string, AreaAggregate>;
  /** Bumped whenever `aggregates` changed; the layer re-colours on a new version only. */
  version: number;
  metric: Metric;
  /** MapLibre layer to draw beneath (interleaved): town lines, rivers and the district border stay on top. */
  beforeId?: string;
}

export function createChoroplethLayer(p: ChoroplethProps) {
  return new GeoJsonLayer<AreaFeature['properties']>({
    id: `choropleth-${p.level}`, // stable: deck.gl diffs by id and keeps the GPU buffers
    data: p.data as never,
    filled: true,
    stroked: false,
    ...(p.beforeId ? { beforeId: p.beforeId } : {}),
    getFillColor: (f) => {
      const a = p.aggregates.get(`${p.level}:${f.properties.id}`);
      return colorOf(p.metric, a ? p.metric.value(a) : null);
    },
    updateTriggers: { getFillColor: [p.metric.key, p.version] },
    transitions: { getFillColor: 400 },
  });
}
