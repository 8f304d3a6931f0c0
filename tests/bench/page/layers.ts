// The deck.gl layers of the benchmark, built from the store's view with the product's own layer factories
// (client/map/layers/), as the map builds them on a publish: the arrays handed to deck.gl are rebuilt only
// when their slice's version moved (the map memoises them the same way), trails on their slow clock.
import type { Layer } from '@deck.gl/core';
import type { LiveView } from '../../../client/live/store';
import {
  createCheckpointLayer,
  createCheckpointLevelLayer,
  type CheckpointSite,
} from '../../../client/map/layers/checkpoints';
import { createChoroplethLayer, type AreaFeature } from '../../../client/map/layers/choropleth';
import {
  createIncidentLayer,
  createRangerLayer,
  createRangerTrailLayer,
  incidentsOf,
  rangersOf,
  trailsOf,
  TRAIL_REFRESH_MS,
  type Trail,
} from '../../../client/map/layers/rangers';
import {
  createTicketHeatmapLayer,
  createTicketLayer,
  createTicketPulseLayer,
  overdueOf,
  PULSE_PERIOD_MS,
  ticketsOf,
} from '../../../client/map/layers/tickets';
import { METRICS } from '../../../client/map/metrics';
import type { ThemeName } from '../../../client/view/url';
import { NO_FILTER } from '../../../client/view/ticket-filter';
import type { IncidentObject, RangerObject, TicketObject } from '../../../server/contract/live';
import type { SyntheticSite } from './synthetic';

/** points: a town's zoom, every ticket a dot (the heavier case); heatmap: the district's zoom. */
export type TicketMode = 'points' | 'heatmap';

export const FACTORIES = [
  'choropleth (grid, GeoJsonLayer)',
  'tickets (ScatterplotLayer + overdue pulse, or HeatmapLayer)',
  'rangers (ScatterplotLayer) + trails (PathLayer) + incidents',
  'checkpoints (ScatterplotLayer + TextLayer)',
];

const THEME: ThemeName = 'wall';
const formatLevel = (m: number) => `${m.toFixed(2)} m`;

export interface LayerBuilder {
  build(view: LiveView, now: number): Layer[];
}

/** One builder per page: it keeps the memoised arrays between publishes, like the map's useMemo hooks. */
/**
 * `withoutTransitions` is a diagnostic: the same layers with their attribute transitions switched off, to
 * tell the transitions' cost (deck.gl reads GPU buffers back when one starts) from the rest.
 */
export function createLayerBuilder(
  grid: readonly AreaFeature[],
  sites: readonly SyntheticSite[],
  mode: TicketMode,
  withoutTransitions = false,
): LayerBuilder {
  const checkpointSites: CheckpointSite[] = sites.map((s, i) => ({
    id: s.id,
    name: `监测点 ${i}`,
    kind: 'gauge',
    position: s.position,
    warningLevel: 21,
    guaranteedLevel: 22.5,
  }));
  const metric = METRICS[0]!;
  let ticketsVersion = -1;
  let tickets: TicketObject[] = [];
  let overdue: TicketObject[] = [];
  let rangersVersion = -1;
  let rangers: RangerObject[] = [];
  let incidentsVersion = -1;
  let incidents: IncidentObject[] = [];
  let trailsAt = -Infinity;
  let trails: Trail[] = [];

  return {
    build(view, now) {
      if (view.versions.tickets !== ticketsVersion) {
        ticketsVersion = view.versions.tickets;
        tickets = ticketsOf(view.tickets, NO_FILTER);
        overdue = overdueOf(tickets);
      }
      if (view.versions.rangers !== rangersVersion) {
        rangersVersion = view.versions.rangers;
        rangers = rangersOf(view.rangers);
      }
      if (view.versions.incidents !== incidentsVersion) {
        incidentsVersion = view.versions.incidents;
        incidents = incidentsOf(view.incidents);
      }
      if (now - trailsAt >= TRAIL_REFRESH_MS) {
        trailsAt = now;
        trails = trailsOf(view.rangers.values(), now);
      }
      const checkpointProps = {
        sites: checkpointSites,
        live: view.checkpoints,
        version: view.versions.checkpoints,
        theme: THEME,
      };
      // The map's order, bottom to top (MapView: `below`, the overdue pulse, `above`).
      const built: Layer[] = [
        createChoroplethLayer({
          level: 'grid',
          features: grid,
          aggregates: view.aggregates,
          version: view.versions.aggregates,
          metric,
          theme: THEME,
        }),
        ...(mode === 'heatmap' ? [createTicketHeatmapLayer({ data: tickets })] : []),
        createRangerTrailLayer({ data: trails }),
        ...(mode === 'points'
          ? [
              createTicketLayer({ data: tickets, theme: THEME }),
              createTicketPulseLayer({ data: overdue, phase: (now % PULSE_PERIOD_MS) / PULSE_PERIOD_MS }),
            ]
          : []),
        createCheckpointLayer(checkpointProps),
        createCheckpointLevelLayer({
          ...checkpointProps,
          formatLevel,
          language: 'zh-CN',
          allLevels: mode === 'points',
        }),
        createRangerLayer({ data: rangers, theme: THEME }),
        createIncidentLayer({ data: incidents, theme: THEME }),
      ];
      return withoutTransitions ? built.map((l) => l.clone({ transitions: null })) : built;
    },
  };
}
