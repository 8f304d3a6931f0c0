// What a pick on a layer's datum designates, per kind of datum; the registry says which layer picks which.
import type { AreaKey } from '../../../server/contract/areas';
import type { ObjectSelection } from '../../view/selection';
import type { AreaFeature, ChoroplethLevel } from './choropleth';
import type { TicketCluster } from './ticket-clusters';

/**
 * What a pick on the map means: open an area (drill down), select an object for the detail panel, or expand a
 * ticket cluster (fly to its expansion zoom).
 */
export type Picked = { kind: 'area'; key: AreaKey } | { kind: 'cluster'; cluster: TicketCluster } | ObjectSelection;

/** Maps a picked datum to what a click opens (null: nothing). */
export type Pick = (object: unknown, layerId: string) => Picked | null;

/** An area of a choropleth: the layer id carries the level (choropleth-grid). */
export const pickArea: Pick = (object, layerId) => {
  const level = layerId.slice('choropleth-'.length) as ChoroplethLevel;
  const id = (object as AreaFeature | null)?.properties?.id;
  return id ? { kind: 'area', key: `${level}:${id}` } : null;
};

/** A ticket, checkpoint, ranger or incident: the detail panel opens on its id. */
export const pickObject =
  (kind: ObjectSelection['kind']): Pick =>
  (object) => {
    const id = (object as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? { kind, id } : null;
  };

export const pickCluster: Pick = (object) => {
  const c = object as Partial<TicketCluster> | null;
  return c && typeof c.count === 'number' && c.position ? { kind: 'cluster', cluster: c as TicketCluster } : null;
};
