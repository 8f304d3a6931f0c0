// The map: MapLibre with the offline basemap (district, towns, rivers, neighbours: all from this origin) and
// one deck.gl overlay, interleaved, for the live layers. The map lives as long as the page (useMapLifecycle),
// the camera follows the open area (useCamera), and the layers come from the layer registry: the scene the
// entries select from (useMapScene), the ordered deck.gl list (useDeckLayers), handed to the overlay
// (useOverlayDraw). Live deltas, drill-downs and theme changes only change layer props and paint properties.
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { useLive } from '../live/SocketController';
import { useLayer } from '../geo/layers';
import type { Placement } from '../view/navigation';
import type { ObjectSelection } from '../view/selection';
import type { TicketFilter } from '../view/ticket-filter';
import type { SetView } from '../view/useView';
import type { ViewState } from '../view/url';
import { MapExport } from './MapExport';
import { MapControls } from './MapControls';
import { MapLegend } from './MapLegend';
import { MapTooltip } from './MapTooltip';
import { useCamera } from './useCamera';
import { useDeckLayers } from './useDeckLayers';
import { useMapLifecycle, type MapSummary } from './useMapLifecycle';
import { useMapScene } from './useMapScene';
import { useOverlayDraw } from './useOverlayDraw';
import { useTownLabels } from './useTownLabels';

export type { MapSummary, OpsMapHandle } from './useMapLifecycle';

export interface MapViewProps {
  tree: AreaTree;
  view: ViewState;
  setView: SetView;
  placement: Placement;
  /** The ticket table's filter: the ticket layer shows the same tickets. */
  ticketFilter: TicketFilter;
  selection: ObjectSelection | null;
  /** A click on an area: drill down into it. */
  onOpenArea: (key: AreaKey) => void;
  onSelectObject: (selection: ObjectSelection) => void;
  /** Called once the geography is on screen. */
  onLoaded?: (summary: MapSummary) => void;
  /** A point to fly to and mark (the wall's alert take-over); back to the open area when it goes. */
  focus?: { lon: number; lat: number } | null;
}

export function MapView({
  tree,
  view,
  setView,
  placement,
  ticketFilter,
  selection,
  onOpenArea,
  onSelectObject,
  onLoaded,
  focus = null,
}: MapViewProps) {
  const { t, i18n } = useTranslation('map');
  const live = useLive();
  // Cached by geo/layers: the panels share it.
  const towns = useLayer('towns');
  const { containerRef, map, deck, state, error, hover, setHover } = useMapLifecycle({
    tree,
    area: view.area,
    theme: view.theme,
    towns,
    onOpenArea,
    onSelectObject,
    onLoaded,
  });
  useTownLabels(map, deck !== null, towns, tree);
  const { zoomedOut, zoomLevel } = useCamera({ map, tree, area: view.area, focus, onAreaFlight: () => setHover(null) });
  const { scene, siteById, clustersStale } = useMapScene({
    live,
    tree,
    view,
    placement,
    ticketFilter,
    selection,
    towns,
    zoomedOut,
    zoomLevel,
    language: i18n.language,
  });
  const layers = useDeckLayers(scene);
  const { metric, level, theme, ticketView } = scene;
  // Clusters waiting for their next rebuild do not show the latest tickets yet: not drawn until they do.
  const pendingVersion = `${metric.key}:${metric.window}:${level}:${placement.scope}:a${live.versions.aggregates}:t${live.versions.tickets}${clustersStale ? '~' : ''}`;
  useOverlayDraw(deck, layers, pendingVersion, containerRef);

  return (
    <div className="map-view">
      <div
        ref={containerRef}
        className="map-canvas"
        data-map-state={state}
        data-level={level}
        data-metric={metric.key}
        data-ticket-view={ticketView}
      />
      {/* One right-hand column: the controls, then a legend per layer shown; it scrolls when the map is short. */}
      <div className="map-side">
        <MapControls
          view={view}
          setView={setView}
          showSub={level !== 'town'}
          leaveCellFor={placement.selected ? placement.scope : null}
        />
        <MapLegend
          metric={metric}
          level={level}
          theme={theme}
          overlays={view.overlays}
          heatmap={ticketView === 'heatmap'}
          clusters={ticketView === 'clusters'}
        />
        <MapExport getMap={() => map} tree={tree} area={view.area} />
      </div>
      {hover && <MapTooltip hover={hover} tree={tree} live={live} metric={metric} theme={theme} sites={siteById} />}
      {state === 'loading' && <div className="map-status">{t('loading')}</div>}
      {state === 'error' && <div className="map-error">{t('error', { message: error ?? '' })}</div>}
    </div>
  );
}
