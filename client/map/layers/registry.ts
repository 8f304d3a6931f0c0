// The map's layer kinds (kepler.gl's layer classes, Grafana's geomap registry): each entry owns its layer ids,
// its place in the draw order, when it is shown (its overlay toggle, and a zoom band or mode), what it selects
// from the map's scene (the client store's slices and the view) and how that becomes its factory's props, and
// what a click on it picks. `useDeckLayers` turns the registry into deck.gl's layer list; adding a kind
// touches this file and the kind's own module, never MapView.
import type { IncidentObject, RangerObject, TicketObject } from '../../../server/contract/live';
import type { Overlay } from '../../view/url';
import {
  choroplethId,
  createChoroplethLayer,
  createSelectedAreaLayer,
  SELECTED_AREA_ID,
  type AreaFeature,
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
import { entry, type LayerEntry, type LayerRegistry } from './entry';
import { pickArea, pickCluster, pickObject, type Picked } from './picks';
import {
  createIncidentLayer,
  createRangerLayer,
  createRangerTrailLayer,
  INCIDENTS_ID,
  RANGER_TRAILS_ID,
  RANGERS_ID,
} from './rangers';
import { createSelectedObjectLayer, SELECTED_OBJECT_ID } from './selection';
import { createTicketClusterLayer, TICKET_CLUSTERS_ID, type TicketCluster } from './ticket-clusters';
import {
  createTicketHeatmapLayer,
  createTicketLayer,
  createTicketPulseLayer,
  PULSE_PERIOD_MS,
  TICKET_HEATMAP_ID,
  TICKET_PULSE_ID,
  TICKETS_ID,
} from './tickets';

/** The MapLibre layer the deck.gl areas are drawn beneath: town lines, rivers and the border stay on top. */
export const DECK_BEFORE_ID = 'towns-line';

/** Props that are the selection itself. */
const asProps = <S>(selected: S): S => selected;

const LEVELS = ['town', 'grid', 'property', 'forest'] as const;

export const LAYER_REGISTRY = {
  choropleth: entry({
    ids: LEVELS.map(choroplethId),
    order: 10,
    overlay: null,
    select: (s) => ({
      level: s.level,
      features: s.features,
      aggregates: s.live.aggregates,
      version: s.live.versions.aggregates,
      metric: s.metric,
      theme: s.theme,
    }),
    props: (sel) => ({ ...sel, beforeId: DECK_BEFORE_ID }),
    factory: createChoroplethLayer,
    // On a drill-down the new scope's areas have no values until its snapshot arrives: the old colours stay
    // until then rather than a grey frame of "no data" (the layer id changes with the level, so it is swapped).
    hold: (s) => s.live.scope !== null && s.live.scope !== s.scope,
    pick: pickArea,
  }),
  coverage: entry({
    ids: [COVERAGE_ID],
    order: 20,
    overlay: 'coverage',
    // Patrol coverage is per town: nothing to show above one.
    visible: (s) => s.townId !== null,
    select: (s) => ({ data: s.squares }),
    props: asProps,
    factory: createCoverageLayer,
  }),
  selectedArea: entry({
    ids: [SELECTED_AREA_ID],
    order: 30,
    overlay: null,
    select: (s) => ({ feature: s.selectedFeature, theme: s.theme }),
    props: asProps,
    factory: createSelectedAreaLayer,
  }),
  riverLabels: entry({
    ids: [RIVER_LABELS_ID],
    order: 40,
    overlay: null,
    select: (s) => ({ data: s.riverLabels, theme: s.theme }),
    props: asProps,
    factory: createRiverLabelLayer,
  }),
  // Map context like the river names: always drawn (a few rings), named from mid zoom.
  landmarks: entry({
    ids: [LANDMARKS_ID],
    order: 50,
    overlay: null,
    select: (s) => ({ data: s.landmarks, theme: s.theme }),
    props: asProps,
    factory: createLandmarkLayer,
  }),
  landmarkLabels: entry({
    ids: [LANDMARK_LABELS_ID],
    order: 60,
    overlay: null,
    select: (s) => ({ data: s.landmarks, theme: s.theme, visible: s.closeUp }),
    props: asProps,
    factory: createLandmarkLabelLayer,
  }),
  ticketHeatmap: entry({
    ids: [TICKET_HEATMAP_ID],
    order: 70,
    overlay: 'tickets',
    visible: (s) => s.ticketView === 'heatmap',
    select: (s) => ({ data: s.tickets }),
    props: asProps,
    factory: createTicketHeatmapLayer,
  }),
  rangerTrails: entry({
    ids: [RANGER_TRAILS_ID],
    order: 80,
    overlay: 'rangers',
    select: (s) => ({ data: s.trails }),
    props: asProps,
    factory: createRangerTrailLayer,
  }),
  tickets: entry({
    ids: [TICKETS_ID],
    order: 90,
    overlay: 'tickets',
    visible: (s) => s.ticketView !== 'heatmap',
    select: (s) => ({ data: s.ticketPoints, theme: s.theme }),
    props: asProps,
    factory: createTicketLayer,
    pick: pickObject('ticket'),
  }),
  ticketClusters: entry({
    ids: [TICKET_CLUSTERS_ID],
    order: 100,
    overlay: 'tickets',
    visible: (s) => s.ticketView === 'clusters',
    select: (s) => ({ data: s.clusters, theme: s.theme }),
    props: asProps,
    factory: createTicketClusterLayer,
    pick: pickCluster,
  }),
  // Overdue points pulse; an overdue ticket inside a cluster shows in the cluster's red ring and count instead.
  ticketPulse: entry({
    ids: [TICKET_PULSE_ID],
    order: 110,
    overlay: 'tickets',
    visible: (s) => s.overdue.length > 0,
    select: (s) => ({ data: s.overdue }),
    props: ({ data }) => ({ data, phase: 0 }),
    factory: createTicketPulseLayer,
    frame: (p, now) => ({ ...p, phase: (now % PULSE_PERIOD_MS) / PULSE_PERIOD_MS }),
  }),
  checkpoints: entry({
    ids: [CHECKPOINTS_ID],
    order: 120,
    overlay: 'checkpoints',
    select: (s) => ({
      sites: s.sites,
      live: s.live.checkpoints,
      version: s.live.versions.checkpoints,
      theme: s.theme,
    }),
    props: asProps,
    factory: createCheckpointLayer,
    pick: pickObject('checkpoint'),
  }),
  checkpointLevels: entry({
    ids: [CHECKPOINT_LEVELS_ID],
    order: 130,
    overlay: 'checkpoints',
    select: (s) => ({
      sites: s.sites,
      live: s.live.checkpoints,
      version: s.live.versions.checkpoints,
      theme: s.theme,
      formatLevel: s.formatLevel,
      language: s.language,
      allLevels: s.closeUp,
    }),
    props: asProps,
    factory: createCheckpointLevelLayer,
  }),
  rangers: entry({
    ids: [RANGERS_ID],
    order: 140,
    overlay: 'rangers',
    select: (s) => ({ data: s.rangers, theme: s.theme }),
    props: asProps,
    factory: createRangerLayer,
    pick: pickObject('ranger'),
  }),
  incidents: entry({
    ids: [INCIDENTS_ID],
    order: 150,
    overlay: 'rangers',
    select: (s) => ({ data: s.incidents, theme: s.theme }),
    props: asProps,
    factory: createIncidentLayer,
    pick: pickObject('incident'),
  }),
  // The picked object's ring follows its coordinates, not the array they would come in.
  selectedObject: entry({
    ids: [SELECTED_OBJECT_ID],
    order: 160,
    overlay: null,
    select: (s) => ({ lon: s.selectedLon, lat: s.selectedLat, theme: s.theme }),
    props: ({ lon, lat, theme }) => ({
      position: lon !== null && lat !== null ? ([lon, lat] as [number, number]) : null,
      theme,
    }),
    factory: createSelectedObjectLayer,
  }),
} as const satisfies LayerRegistry;

export type LayerKind = keyof typeof LAYER_REGISTRY;

/** Layer id → kind, from the entries' own ids. */
const KIND_OF_ID: ReadonlyMap<string, LayerKind> = new Map(
  (Object.keys(LAYER_REGISTRY) as LayerKind[]).flatMap((kind) => LAYER_REGISTRY[kind].ids.map((id) => [id, kind])),
);

export const kindOfLayerId = (id: string): LayerKind | undefined => KIND_OF_ID.get(id);

/** What a hover or click on a layer's datum designates (null: nothing to open). */
export function pickedOf(layerId: string, object: unknown): Picked | null {
  const kind = kindOfLayerId(layerId);
  if (!kind || object === null || object === undefined) return null;
  const pick = (LAYER_REGISTRY[kind] as LayerEntry).pick;
  return pick ? pick(object, layerId) : null;
}

/** True when the kind's overlay toggle is on (or it has none). */
export const isShown = (kind: LayerKind, overlays: readonly Overlay[]): boolean => {
  const overlay = LAYER_REGISTRY[kind].overlay;
  return overlay === null || overlays.includes(overlay);
};

export { entry, isVisible, type LayerEntry, type LayerRegistry, type LayerSpec, type Selection } from './entry';
export type {
  AreaFeature,
  CheckpointSite,
  IncidentObject,
  LandmarkSite,
  Picked,
  RangerObject,
  TicketCluster,
  TicketObject,
};
