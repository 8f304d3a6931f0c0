// What the map's layers are drawn from: the client store's slices with their versions, the view (theme, level,
// metric, overlays, zoom band) and the lists derived once per slice version that several layers share (the
// filtered tickets feed the heatmap, the points, the clusters and the pulse). Registry entries select from it;
// `useMapScene` builds it.
import type { AreaKey } from '../../../server/contract/areas';
import type { IncidentObject, RangerObject, TicketObject } from '../../../server/contract/live';
import type { LiveView } from '../../live/store';
import type { Overlay, ThemeName } from '../../view/url';
import type { Metric } from '../metrics';
import type { AreaFeature, ChoroplethLevel } from './choropleth';
import type { CheckpointSite } from './checkpoints';
import type { VisitedSquare } from './coverage';
import type { PlaceLabel } from './labels';
import type { LandmarkSite } from './landmarks';
import type { Trail } from './rangers';
import type { TicketCluster } from './ticket-clusters';

/** How the tickets are drawn at the current zoom: a heatmap (district overview), clusters, or single points. */
export type TicketView = 'heatmap' | 'clusters' | 'points';

export interface MapScene {
  theme: ThemeName;
  /** The level the areas are coloured at. */
  level: ChoroplethLevel;
  metric: Metric;
  overlays: readonly Overlay[];
  /** The scope the view shows; `live.scope` differs from it while a drill-down waits for its snapshot. */
  scope: AreaKey;
  /** The open town's id, when the scope is a town (patrol coverage is per town). */
  townId: string | null;
  ticketView: TicketView;
  /** Zoomed in past the district overview: landmark names and every water level are shown. */
  closeUp: boolean;
  /** The client store's view: maps mutated in place, `versions` say which slice moved. */
  live: LiveView;
  /** The areas of the level inside the scope (new only when the scope or level changes). */
  features: readonly AreaFeature[];
  selectedFeature: AreaFeature | null;
  /** The tickets shown (the ticket table's filter); empty while the overlay is off. */
  tickets: readonly TicketObject[];
  /** Clusters at this integer zoom; empty unless clusters are shown. */
  clusters: readonly TicketCluster[];
  /** Tickets drawn as points: the ones standing alone at a cluster zoom, or all of them. */
  ticketPoints: readonly TicketObject[];
  /** The overdue among the points: they pulse. */
  overdue: readonly TicketObject[];
  sites: readonly CheckpointSite[];
  rangers: readonly RangerObject[];
  incidents: readonly IncidentObject[];
  trails: readonly Trail[];
  squares: readonly VisitedSquare[];
  riverLabels: readonly PlaceLabel[];
  landmarks: readonly LandmarkSite[];
  formatLevel: (metres: number) => string;
  language: string;
  /** Where the selected object is now (lon, lat apart: the pair would be a new array per render). */
  selectedLon: number | null;
  selectedLat: number | null;
}
