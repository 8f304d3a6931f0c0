// The scene the map's layers select from (layers/scene.ts): the client store and the view, with the lists
// that several layers share derived once per store slice version. The store's maps are mutated in place, so
// each list is rebuilt when its slice's version moves, and a delta of one slice never touches another's.
import { useMemo } from 'react';
import type { AreaTree, LayerName } from '../../server/contract/areas';
import type { LiveView } from '../live/store';
import type { LayerData } from '../geo/layers';
import { useLayer } from '../geo/layers';
import { formatters } from '../i18n';
import { childrenAt, type Placement } from '../view/navigation';
import type { ObjectSelection } from '../view/selection';
import type { TicketFilter } from '../view/ticket-filter';
import type { ViewState } from '../view/url';
import { metricOf } from './metrics';
import { areasInScope, type AreaFeature, type ChoroplethLevel } from './layers/choropleth';
import { checkpointSitesOf, type CheckpointSite } from './layers/checkpoints';
import { visitedSquaresOf } from './layers/coverage';
import { riverLabelsOf } from './layers/labels';
import { landmarkSitesOf } from './layers/landmarks';
import { incidentsOf, rangersOf } from './layers/rangers';
import type { MapScene, TicketView } from './layers/scene';
import { TICKET_CLUSTER_MAX_ZOOM, type TicketCluster } from './layers/ticket-clusters';
import { overdueOf, ticketsOf } from './layers/tickets';
import { useClustering } from './useClustering';
import { useTrails } from './useTrails';
import { useVisitedCells } from './useVisitedCells';

const LEVEL_LAYER: Readonly<Record<Exclude<ChoroplethLevel, 'town'>, LayerName>> = {
  grid: 'grid',
  property: 'property',
  forest: 'forest',
};
const NO_FEATURES: readonly AreaFeature[] = [];
const NO_CLUSTERS: readonly TicketCluster[] = [];

export interface MapSceneInput {
  live: LiveView;
  tree: AreaTree;
  view: ViewState;
  placement: Placement;
  ticketFilter: TicketFilter;
  selection: ObjectSelection | null;
  towns: LayerData<'towns'> | null;
  /** Below the zoom where tickets become points (the district overview). */
  zoomedOut: boolean;
  /** The integer zoom: clusters change only when it does, not on every frame of a zoom. */
  zoomLevel: number;
  language: string;
}

export interface MapSceneState {
  scene: MapScene;
  /** The flood checkpoints by id (the hover card names them). */
  siteById: ReadonlyMap<string, CheckpointSite>;
  /** Clusters waiting for their next rebuild: they do not show the latest tickets yet. */
  clustersStale: boolean;
}

export function useMapScene(input: MapSceneInput): MapSceneState {
  const { live, tree, view, placement, ticketFilter, selection, towns, zoomLevel, language } = input;
  const level = placement.level;
  const v = live.versions;
  const showTickets = view.overlays.includes('tickets');
  const showRangers = view.overlays.includes('rangers');
  const showCoverage = view.overlays.includes('coverage');
  // The heatmap is for the district's thousands of tickets; a town's few hundred read better as points.
  const zoomedOut = input.zoomedOut && level === 'town';
  const ticketView: TicketView = zoomedOut ? 'heatmap' : zoomLevel < TICKET_CLUSTER_MAX_ZOOM ? 'clusters' : 'points';

  // ---- geography (cached by geo/layers: the panels share it) ----
  const subLayer = useLayer(level === 'town' ? null : LEVEL_LAYER[level]);
  const checkpointGeo = useLayer('checkpoints');
  const rivers = useLayer('rivers');
  const landmarkGeo = useLayer('landmarks');

  const levelFeatures = (level === 'town' ? towns?.features : subLayer?.features) as readonly AreaFeature[] | undefined;
  // The areas of a level depend on the scope only (placement.areas is a new list per view): a metric or overlay
  // change keeps the geometry buffers.
  const features = useMemo(
    () => (levelFeatures ? areasInScope(levelFeatures, level, childrenAt(tree, placement.scope, level)) : NO_FEATURES),
    [levelFeatures, level, placement.scope, tree],
  );
  const selectedFeature = useMemo(() => {
    const id = placement.selected?.slice(placement.selected.indexOf(':') + 1);
    return (id && features.find((f) => f.properties.id === id)) || null;
  }, [features, placement.selected]);

  const tickets = useMemo(
    () => (showTickets ? ticketsOf(live.tickets, ticketFilter) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- v.tickets stands for live.tickets, mutated in place
    [showTickets, live.tickets, v.tickets, ticketFilter],
  );
  // Mid zoom: clusters, with the tickets that stand alone at this zoom as points. The index is built when the
  // tickets change (and only while clusters are shown); a new integer zoom only reads another level of it.
  const { clustering, stale: clustersStale } = useClustering(
    tickets,
    ticketView === 'clusters',
    ticketFilter,
    live.tickets,
  );
  const clusterLevel = useMemo(() => clustering?.at(zoomLevel) ?? null, [clustering, zoomLevel]);
  const ticketPoints = clusterLevel?.singles ?? tickets;
  const overdue = useMemo(() => overdueOf(ticketPoints), [ticketPoints]);
  const sites = useMemo(() => (checkpointGeo ? checkpointSitesOf(checkpointGeo) : []), [checkpointGeo]);
  const siteById = useMemo(() => new Map(sites.map((s) => [s.id, s])), [sites]);
  const rangers = useMemo(
    () => (showRangers ? rangersOf(live.rangers) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- v.rangers stands for live.rangers, mutated in place
    [showRangers, live.rangers, v.rangers],
  );
  const incidents = useMemo(
    () => (showRangers ? incidentsOf(live.incidents) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- v.incidents stands for live.incidents, mutated in place
    [showRangers, live.incidents, v.incidents],
  );
  const trails = useTrails(live, showRangers);
  const townId = placement.scope.startsWith('town:') ? placement.scope.slice('town:'.length) : null;
  const visited = useVisitedCells(townId, showCoverage);
  const squares = useMemo(() => visitedSquaresOf(visited), [visited]);
  const riverLabels = useMemo(() => (rivers ? riverLabelsOf(rivers as never) : []), [rivers]);
  const landmarks = useMemo(() => (landmarkGeo ? landmarkSitesOf(landmarkGeo) : []), [landmarkGeo]);
  const formatLevel = useMemo(() => formatters(language).metres, [language]);
  const [selectedLon, selectedLat] = objectPosition(live, siteById, selection) ?? [null, null];

  const scene: MapScene = {
    theme: view.theme,
    level,
    metric: metricOf(view.metric, view.rates),
    overlays: view.overlays,
    scope: placement.scope,
    townId,
    ticketView,
    closeUp: !input.zoomedOut,
    live,
    features,
    selectedFeature,
    tickets,
    clusters: clusterLevel?.clusters ?? NO_CLUSTERS,
    ticketPoints,
    overdue,
    sites,
    rangers,
    incidents,
    trails,
    squares,
    riverLabels,
    landmarks,
    formatLevel,
    language,
    selectedLon,
    selectedLat,
  };
  return { scene, siteById, clustersStale };
}

/** Where the picked object is on the map now (a ranger moves; a closed ticket leaves the map). */
function objectPosition(
  live: LiveView,
  sites: ReadonlyMap<string, CheckpointSite>,
  selection: ObjectSelection | null,
): [number, number] | null {
  if (!selection) return null;
  const p =
    selection.kind === 'ticket'
      ? live.tickets.get(selection.id)?.position
      : selection.kind === 'ranger'
        ? live.rangers.get(selection.id)?.position
        : selection.kind === 'incident'
          ? live.incidents.get(selection.id)?.position
          : sites.get(selection.id)?.position;
  return p ? [p[0]!, p[1]!] : null;
}
