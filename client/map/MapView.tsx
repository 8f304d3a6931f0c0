/// <reference types="vite/client" />
// The map: MapLibre with the offline basemap, town names as HTML labels, fitted to the district.
import { useEffect, useMemo, useRef, useState } from 'react';
import { AttributionControl, Map as MapLibreMap, Marker, NavigationControl, setWorkerUrl } from 'maplibre-gl';
import type { LngLatBoundsLike, MapGeoJSONFeature } from 'maplibre-gl';
// Vite must emit MapLibre's worker as a file of its own; without this the worker 404s in a build.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { AreaKey, AreaTree, DistrictProps, LayerCollection, TownProps } from '../../server/contract/areas';
import { useLive } from '../live/SocketController';
import type { Placement } from '../view/navigation';
import type { ObjectSelection } from '../view/selection';
import type { TicketFilter } from '../view/ticket-filter';
import type { SetView } from '../view/useView';
import type { ViewState } from '../view/url';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import type { AreaAggregate } from '../../server/contract/live';
import { areaLayerUrl, areaTreeUrl, buildBasemapStyle, THEMES, TOWN_FILL_LAYER, type ThemeName } from './style';
import { createChoroplethLayer } from './layers/choropleth';
import { METRICS, type Metric } from './metrics';

setWorkerUrl(workerUrl);

/** Tongzhou's centre, the view before the area tree arrives. */
const INITIAL_CENTER: [number, number] = [116.72, 39.8];
const INITIAL_ZOOM = 9.6;
const FIT_PADDING = { top: 40, bottom: 40, left: 40, right: 40 };

export interface MapSummary {
  districtName: string;
  townCount: number;
  attribution: string;
}

export interface ChoroplethInput {
  metric: Metric;
  aggregates: ReadonlyMap<string, AreaAggregate>;
  version: number;
}

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
}

/** The MapLibre layer the deck.gl areas are drawn beneath. */
const DECK_BEFORE_ID = 'towns-line';

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/**
 * Hides labels that would overlap one already shown; labels come in priority order (towns before the
 * small urban streets, larger areas first), so zooming in reveals the streets of the urban core.
 */
function declutter(labels: readonly HTMLElement[]): void {
  const shown: DOMRect[] = [];
  for (const el of labels) {
    el.style.visibility = 'visible';
    const r = el.getBoundingClientRect();
    const overlaps = shown.some(
      (s) => r.left < s.right + 6 && r.right > s.left - 6 && r.top < s.bottom + 2 && r.bottom > s.top - 2,
    );
    el.style.visibility = overlaps ? 'hidden' : 'visible';
    if (!overlaps) shown.push(r);
  }
}

const bboxArea = ([w, s, e, n]: number[]) => ((e ?? 0) - (w ?? 0)) * ((n ?? 0) - (s ?? 0));

function townLabel(name: string, urban: boolean): HTMLElement {
  const el = document.createElement('div');
  el.className = urban ? 'town-label town-label--urban' : 'town-label';
  el.textContent = name;
  return el;
}

export function MapView({ view, onLoaded }: MapViewProps) {
  const theme = view.theme;
  const live = useLive();
  const metric = METRICS.find((m) => m.key === view.metric) ?? METRICS[0]!;
  const choropleth: ChoroplethInput = useMemo(
    () => ({ metric, aggregates: live.aggregates, version: live.versions.aggregates }),
    [metric, live.aggregates, live.versions.aggregates],
  );
  const containerRef = useRef<HTMLDivElement>(null);
  const overlayRef = useRef<MapLibreOverlay | null>(null);
  const [towns, setTowns] = useState<LayerCollection<TownProps> | null>(null);
  const onLoadedRef = useRef(onLoaded);
  onLoadedRef.current = onLoaded;
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const origin = window.location.origin;
    const abort = new AbortController();
    setState('loading');

    const map = new MapLibreMap({
      container,
      style: buildBasemapStyle({ theme: THEMES[theme], origin }),
      center: INITIAL_CENTER,
      zoom: INITIAL_ZOOM,
      minZoom: 7,
      maxZoom: 16,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      renderWorldCopies: false,
      attributionControl: false,
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');

    // Hover highlight through feature-state: no re-upload of the geometry.
    let hovered: MapGeoJSONFeature['id'] | undefined;
    const setHover = (id: MapGeoJSONFeature['id'] | undefined) => {
      if (hovered !== undefined) map.setFeatureState({ source: 'towns', id: hovered }, { hover: false });
      hovered = id;
      if (id !== undefined) map.setFeatureState({ source: 'towns', id }, { hover: true });
      map.getCanvas().style.cursor = id !== undefined ? 'pointer' : '';
    };
    map.on('mousemove', TOWN_FILL_LAYER, (e) => setHover(e.features?.[0]?.id));
    map.on('mouseleave', TOWN_FILL_LAYER, () => setHover(undefined));

    const styleLoaded = new Promise<void>((resolve) => map.once('load', () => resolve()));
    const markers: Marker[] = [];

    Promise.all([
      getJson<AreaTree>(areaTreeUrl(origin), abort.signal),
      getJson<LayerCollection<TownProps>>(areaLayerUrl('towns', origin), abort.signal),
      getJson<LayerCollection<DistrictProps>>(areaLayerUrl('district', origin), abort.signal),
      styleLoaded,
    ])
      .then(([tree, towns, district]) => {
        // One deck.gl overlay for the life of the map; layers change through setProps only.
        const overlay = new MapLibreOverlay({
          interleaved: true,
          layers: [],
          // The browser test reads which values the GPU has drawn.
          onAfterRender: () => {
            container.dataset.deckVersion = container.dataset.pendingVersion ?? '';
          },
        });
        map.addControl(overlay);
        overlayRef.current = overlay;
        setTowns(towns);
        const root = tree.nodes[tree.root];
        if (root) map.fitBounds(root.bbox as LngLatBoundsLike, { padding: FIT_PADDING, animate: false });
        const ordered = [...towns.features].sort((a, b) => {
          const byKind = Number(a.properties.urban) - Number(b.properties.urban);
          const area = (id: string) => bboxArea(tree.nodes[`town:${id}`]?.bbox ?? [0, 0, 0, 0]);
          return byKind || area(b.properties.id) - area(a.properties.id);
        });
        const labels = ordered.map(({ properties: { name, urban, seat } }) => {
          const element = townLabel(name, urban);
          markers.push(new Marker({ element, anchor: 'center' }).setLngLat(seat as [number, number]).addTo(map));
          return element;
        });
        map.on('moveend', () => declutter(labels));
        declutter(labels);
        const districtProps = district.features[0]?.properties;
        const attribution = districtProps?.attribution ?? '';
        if (attribution) map.addControl(new AttributionControl({ compact: true, customAttribution: attribution }), 'bottom-right');
        // Ready for people and for the browser test once everything requested so far is drawn.
        map.once('idle', () => {
          if (abort.signal.aborted) return;
          declutter(labels);
          setState('ready');
          onLoadedRef.current?.({ districtName: districtProps?.name ?? root?.name ?? '', townCount: towns.features.length, attribution });
        });
        map.triggerRepaint();
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        setState('error');
        setError(err instanceof Error ? err.message : String(err));
      });

    return () => {
      abort.abort();
      for (const marker of markers) marker.remove();
      overlayRef.current = null;
      map.remove();
    };
  }, [theme]);

  // Live values re-colour the areas in place: same layer id, new colours, no geometry upload.
  useEffect(() => {
    const overlay = overlayRef.current;
    const container = containerRef.current;
    if (!overlay || !towns || !container || !choropleth) return;
    container.dataset.pendingVersion = `${choropleth.metric.key}:${choropleth.version}`;
    overlay.setProps({
      layers: [
        createChoroplethLayer({
          level: 'town',
          data: towns,
          aggregates: choropleth.aggregates,
          version: choropleth.version,
          metric: choropleth.metric,
          beforeId: DECK_BEFORE_ID,
        }),
      ],
    });
  }, [towns, choropleth]);

  return (
    <div className="map-view">
      <div ref={containerRef} className="map-canvas" data-map-state={state} />
      {state === 'error' && <div className="map-error">地图数据加载失败 · {error}</div>}
    </div>
  );
}
