// The map's layer kinds, each with its factory (kepler.gl style): adding a kind touches this file and its
// own module. The registry also says which overlay toggle a kind belongs to and what a click on it picks,
// so MapView needs no per-kind code for overlays, tooltips or clicks.
import type { Layer } from '@deck.gl/core';
import type { AreaKey } from '../../../server/contract/areas';
import type { IncidentObject, RangerObject, TicketObject } from '../../../server/contract/live';
import type { ObjectSelection } from '../../view/selection';
import type { Overlay } from '../../view/url';
import {
  choroplethId,
  createChoroplethLayer,
  createSelectedAreaLayer,
  SELECTED_AREA_ID,
  type AreaFeature,
  type ChoroplethLevel,
} from './choropleth';
import {
  CHECKPOINT_LEVELS_ID,
  CHECKPOINTS_ID,
  createCheckpointLayer,
  createCheckpointLevelLayer,
  type CheckpointSite,
} from './checkpoints';
import { COVERAGE_ID, createCoverageLayer } from './coverage';
import { createRiverLabelLayer, RIVER_LABELS_ID } from './labels';
import {
  createLandmarkLabelLayer,
  createLandmarkLayer,
  LANDMARK_LABELS_ID,
  LANDMARKS_ID,
  type LandmarkSite,
} from './landmarks';
import { createSelectedObjectLayer, SELECTED_OBJECT_ID } from './selection';
import {
  createIncidentLayer,
  createRangerLayer,
  createRangerTrailLayer,
  INCIDENTS_ID,
  RANGER_TRAILS_ID,
  RANGERS_ID,
} from './rangers';
import { createTicketClusterLayer, TICKET_CLUSTERS_ID, type TicketCluster } from './ticket-clusters';
import {
  createTicketHeatmapLayer,
  createTicketLayer,
  createTicketPulseLayer,
  TICKET_HEATMAP_ID,
  TICKET_PULSE_ID,
  TICKETS_ID,
} from './tickets';

/**
 * What a pick on the map means: open an area (drill down), select an object for the detail panel, or expand a
 * ticket cluster (fly to its expansion zoom).
 */
export type Picked = { kind: 'area'; key: AreaKey } | { kind: 'cluster'; cluster: TicketCluster } | ObjectSelection;

export interface LayerEntry<P> {
  factory: (props: P) => Layer;
  /** The overlay toggle that shows it; null: always on (areas, labels). */
  overlay: Overlay | null;
  /** Maps a picked datum to what a click opens; absent: not pickable. */
  pick?: (object: unknown, layerId: string) => Picked | null;
}

const entry = <P>(e: LayerEntry<P>) => e;

const pickArea = (object: unknown, layerId: string): Picked | null => {
  const level = layerId.slice('choropleth-'.length) as ChoroplethLevel;
  const id = (object as AreaFeature | null)?.properties?.id;
  return id ? { kind: 'area', key: `${level}:${id}` } : null;
};
const pickObject =
  (kind: ObjectSelection['kind']) =>
  (object: unknown): Picked | null => {
    const id = (object as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? { kind, id } : null;
  };

const pickCluster = (object: unknown): Picked | null => {
  const c = object as Partial<TicketCluster> | null;
  return c && typeof c.count === 'number' && c.position ? { kind: 'cluster', cluster: c as TicketCluster } : null;
};

export const LAYER_REGISTRY = {
  choropleth: entry({ factory: createChoroplethLayer, overlay: null, pick: pickArea }),
  selectedArea: entry({ factory: createSelectedAreaLayer, overlay: null }),
  coverage: entry({ factory: createCoverageLayer, overlay: 'coverage' }),
  ticketHeatmap: entry({ factory: createTicketHeatmapLayer, overlay: 'tickets' }),
  rangerTrails: entry({ factory: createRangerTrailLayer, overlay: 'rangers' }),
  ticketClusters: entry({ factory: createTicketClusterLayer, overlay: 'tickets', pick: pickCluster }),
  tickets: entry({ factory: createTicketLayer, overlay: 'tickets', pick: pickObject('ticket') }),
  ticketPulse: entry({ factory: createTicketPulseLayer, overlay: 'tickets' }),
  checkpoints: entry({ factory: createCheckpointLayer, overlay: 'checkpoints', pick: pickObject('checkpoint') }),
  checkpointLevels: entry({ factory: createCheckpointLevelLayer, overlay: 'checkpoints' }),
  rangers: entry({ factory: createRangerLayer, overlay: 'rangers', pick: pickObject('ranger') }),
  incidents: entry({ factory: createIncidentLayer, overlay: 'rangers', pick: pickObject('incident') }),
  riverLabels: entry({ factory: createRiverLabelLayer, overlay: null }),
  // Map context like the river names: always drawn (a few rings), named from mid zoom.
  landmarks: entry({ factory: createLandmarkLayer, overlay: null }),
  landmarkLabels: entry({ factory: createLandmarkLabelLayer, overlay: null }),
  selectedObject: entry({ factory: createSelectedObjectLayer, overlay: null }),
} as const;

export type LayerKind = keyof typeof LAYER_REGISTRY;

/** Layer id → kind (choropleth ids carry the level: choropleth-town, choropleth-grid, …). */
const KIND_OF_ID: Readonly<Record<string, LayerKind>> = {
  [SELECTED_AREA_ID]: 'selectedArea',
  [COVERAGE_ID]: 'coverage',
  [TICKET_HEATMAP_ID]: 'ticketHeatmap',
  [RANGER_TRAILS_ID]: 'rangerTrails',
  [TICKET_CLUSTERS_ID]: 'ticketClusters',
  [TICKETS_ID]: 'tickets',
  [TICKET_PULSE_ID]: 'ticketPulse',
  [CHECKPOINTS_ID]: 'checkpoints',
  [CHECKPOINT_LEVELS_ID]: 'checkpointLevels',
  [RANGERS_ID]: 'rangers',
  [INCIDENTS_ID]: 'incidents',
  [RIVER_LABELS_ID]: 'riverLabels',
  [LANDMARKS_ID]: 'landmarks',
  [LANDMARK_LABELS_ID]: 'landmarkLabels',
  [SELECTED_OBJECT_ID]: 'selectedObject',
  [choroplethId('town')]: 'choropleth',
  [choroplethId('grid')]: 'choropleth',
  [choroplethId('property')]: 'choropleth',
  [choroplethId('forest')]: 'choropleth',
};

export const kindOfLayerId = (id: string): LayerKind | undefined => KIND_OF_ID[id];

/** What a hover or click on a layer's datum designates (null: nothing to open). */
export function pickedOf(layerId: string, object: unknown): Picked | null {
  const kind = kindOfLayerId(layerId);
  if (!kind || object === null || object === undefined) return null;
  const pick = (LAYER_REGISTRY[kind] as LayerEntry<never>).pick;
  return pick ? pick(object, layerId) : null;
}

/** True when the kind is shown with the given overlays on. */
export const isShown = (kind: LayerKind, overlays: readonly Overlay[]): boolean => {
  const overlay = LAYER_REGISTRY[kind].overlay;
  return overlay === null || overlays.includes(overlay);
};

export type { AreaFeature, CheckpointSite, IncidentObject, LandmarkSite, RangerObject, TicketCluster, TicketObject };
