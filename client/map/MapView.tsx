/// <reference types="vite/client" />
// The map: MapLibre with the offline basemap (district, towns, rivers, neighbours: all from this origin) and
// one deck.gl overlay, interleaved, for the live layers. The map and the overlay live as long as the page;
// live deltas, drill-downs and theme changes only change layer props and paint properties, so nothing is
// torn down and no frame is blank. Layer data is memoised per store slice version: a rangers delta does not
// touch the tickets' buffers, a tickets delta does not re-colour the areas.
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AttributionControl, Map as MapLibreMap, Marker, NavigationControl, setWorkerUrl } from 'maplibre-gl';
import type { LngLatBoundsLike } from 'maplibre-gl';
// Vite must emit MapLibre's worker as a file of its own; without this the worker 404s in a build.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import '../styles/map.css';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { MapExport } from './MapExport';
import type { CompositeLayer, Layer, PickingInfo } from '@deck.gl/core';
import type { AreaKey, AreaTree, LayerName } from '../../server/contract/areas';
import type { TicketObject } from '../../server/contract/live';
import { useLive } from '../live/SocketController';
import { loadLayer, useLayer } from '../geo/layers';
import { formatters } from '../i18n';
import { childrenAt, type Placement } from '../view/navigation';
import type { ObjectSelection } from '../view/selection';
import type { TicketFilter } from '../view/ticket-filter';
import type { SetView } from '../view/useView';
import type { ViewState } from '../view/url';
import { basemapPaint, buildBasemapStyle, THEMES } from './style';
import { metricOf } from './metrics';
import {
  areasInScope,
  createChoroplethLayer,
  createSelectedAreaLayer,
  type AreaFeature,
  type ChoroplethLevel,
} from './layers/choropleth';
import {
  createTicketHeatmapLayer,
  createTicketLayer,
  createTicketPulseLayer,
  overdueOf,
  PULSE_PERIOD_MS,
  ticketsOf,
  TICKET_POINTS_MIN_ZOOM,
} from './layers/tickets';
import {
  checkpointSitesOf,
  createCheckpointLayer,
  createCheckpointLevelLayer,
  type CheckpointSite,
} from './layers/checkpoints';
import {
  createIncidentLayer,
  createRangerLayer,
  createRangerTrailLayer,
  incidentsOf,
  rangersOf,
  trailsOf,
  TRAIL_REFRESH_MS,
  type Trail,
} from './layers/rangers';
import { createCoverageLayer, visitedSquaresOf } from './layers/coverage';
import {
  clusterTickets,
  createTicketClusterLayer,
  TICKET_CLUSTER_MAX_ZOOM,
  type TicketClustering,
} from './layers/ticket-clusters';
import { createRiverLabelLayer, riverLabelsOf } from './layers/labels';
import { createLandmarkLabelLayer, createLandmarkLayer, landmarkSitesOf } from './layers/landmarks';
import { pickedOf } from './layers/registry';
import { createSelectedObjectLayer } from './layers/selection';
import { layerHandover, type LayerHandover } from './layers/handover';
import { useVisitedCells } from './useVisitedCells';
import { MapControls } from './MapControls';
import { MapLegend } from './MapLegend';
import { MapTooltip, type Hover } from './MapTooltip';
import { useClock } from '../live/clock';

setWorkerUrl(workerUrl);

const FIT_PADDING = { top: 48, bottom: 48, left: 48, right: 48 };
const FLY_MS = 900;
const MAX_FIT_ZOOM = 15;
/** Close enough to see the streets around a focus point, wide enough to see where in the town it is. */
const FOCUS_ZOOM = 13.5;
/** A grid cell or property district is small: around it, a share of the screen shows its neighbours. */
const CELL_CONTEXT_SHARE = 0.3;

/**
 * Padding for fitting an area: clear of the detail panel (top left of the map pane) and of the map's controls
 * (top right), so the open area sits in the free part of the map; small areas get room for their neighbours.
 */
function fitPadding(map: MapLibreMap, small: boolean) {
  const container = map.getContainer();
  const box = container.getBoundingClientRect();
  const pane = container.closest('.map-pane') ?? container.parentElement;
  const panel = pane?.querySelector('.detail-panel')?.getBoundingClientRect();
  const controls = pane?.querySelector('.map-controls')?.getBoundingClientRect();
  const base = small ? Math.max(48, Math.round(Math.min(box.width, box.height) * CELL_CONTEXT_SHARE)) : 48;
  // On a phone the detail is a sheet across the bottom of the map: the area is fitted above it, not beside it.
  const sheet = !!panel && panel.width > 0 && panel.width >= box.width * 0.8;
  const left = panel && panel.width > 0 && !sheet ? Math.max(base, panel.right - box.left + 24) : base;
  // Controls and legends share the right-hand column: the area is fitted left of it, never behind it.
  const legends = pane?.querySelector('.map-legends')?.getBoundingClientRect();
  const columnLeft = Math.min(
    controls && controls.width > 0 ? controls.left : Infinity,
    legends && legends.width > 0 ? legends.left : Infinity,
  );
  const right = Number.isFinite(columnLeft) ? Math.max(base, box.right - columnLeft + 24) : base;
  const bottom = sheet && panel ? Math.max(base, box.bottom - panel.top + 24) : base;
  // Never pad away more than the map has: a narrow desk window still shows the area.
  const room = box.width - 120;
  const scale = left + right > room ? room / (left + right) : 1;
  const roomY = box.height - 120;
  const scaleY = base + bottom > roomY ? roomY / (base + bottom) : 1;
  return {
    top: Math.round(base * scaleY),
    bottom: Math.round(bottom * scaleY),
    left: Math.round(left * scale),
    right: Math.round(right * scale),
  };
}
/** The overdue rings advance at this rate: smooth enough to read as a pulse, cheap (uniforms only). */
const PULSE_FRAME_MS = 100;
/** The MapLibre layer the deck.gl areas are drawn beneath: town lines, rivers and the border stay on top. */
const DECK_BEFORE_ID = 'towns-line';

const LEVEL_LAYER: Readonly<Record<Exclude<ChoroplethLevel, 'town'>, LayerName>> = {
  grid: 'grid',
  property: 'property',
  forest: 'forest',
};
const NO_FEATURES: readonly AreaFeature[] = [];
const NO_TRAILS: readonly Trail[] = [];

export interface MapSummary {
  districtName: string;
  townCount: number;
  attribution: string;
}

/** The handle the browser tests read: where a coordinate is on screen, and whether the map is drawn. */
export interface OpsMapHandle {
  /** CSS pixels relative to the map canvas. */
  project(lon: number, lat: number): [number, number];
  ready: boolean;
  /** deck.gl layers last handed to the overlay, sublayers included (the wall's long-run benchmark watches it). */
  deckLayers(): number;
  /** The camera, set and read without animation (tests put the map at a zoom band: heatmap, clusters, points). */
  jumpTo(lon: number, lat: number, zoom: number): void;
  zoom(): number;
}

declare global {
  interface Window {
    __OPSMAP__?: OpsMapHandle;
  }
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
  /** A point to fly to and mark (the wall's alert take-over); back to the open area when it goes. */
  focus?: { lon: number; lat: number } | null;
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

/** Layers with their sublayers (a composite's are there once deck.gl has drawn it). */
const countLayers = (layers: readonly Layer[]): number =>
  layers.reduce((n, l) => n + 1 + (l.isComposite ? countLayers((l as CompositeLayer).getSubLayers()) : 0), 0);

const bboxArea = ([w, s, e, n]: readonly number[]) => ((e ?? 0) - (w ?? 0)) * ((n ?? 0) - (s ?? 0));

function townLabel(name: string, urban: boolean): HTMLElement {
  const el = document.createElement('div');
  el.className = urban ? 'town-label town-label--urban' : 'town-label';
  el.textContent = name;
  return el;
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
  const theme = view.theme;
  const metric = metricOf(view.metric, view.rates);
  const level = placement.level;
  const showTickets = view.overlays.includes('tickets');
  const showCheckpoints = view.overlays.includes('checkpoints');
  const showRangers = view.overlays.includes('rangers');
  const showCoverage = view.overlays.includes('coverage');

  const containerRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const drawnLayers = useRef<readonly Layer[]>([]);
  // The overlay with its layer handover, made together: a memoized layer turned off and on again must not reach
  // this deck.gl instance as the instance it finalized.
  const [deckOverlay, setDeckOverlay] = useState<{ overlay: MapLibreOverlay; handover: LayerHandover } | null>(null);
  const overlay = deckOverlay?.overlay ?? null;
  const handover = deckOverlay?.handover ?? null;
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [zoomedOutRaw, setZoomedOut] = useState(true);
  // The integer zoom: clusters change only when it does, not on every frame of a zoom.
  const [zoomLevel, setZoomLevel] = useState(0);
  const [hover, setHover] = useState<Hover | null>(null);
  // The hover card follows the data under a still pointer: after new layers are drawn, the object under the
  // pointer is picked again (a cluster that grew by a live delta shows its new count without a mouse move).
  const hoverRef = useRef(hover);
  hoverRef.current = hover;
  const repickHover = useRef(false);

  // The overlay's callbacks are set once; they read the latest props through this ref.
  const latest = useRef({ onOpenArea, onSelectObject, onLoaded, area: view.area, theme });
  latest.current = { onOpenArea, onSelectObject, onLoaded, area: view.area, theme };

  // The heatmap is for the district's thousands of tickets; a town's few hundred read better as points.
  const zoomedOut = zoomedOutRaw && level === 'town';

  // ---- geography (cached by geo/layers: the panels share it) ----
  const towns = useLayer('towns');
  const subLayer = useLayer(level === 'town' ? null : LEVEL_LAYER[level]);
  const checkpointGeo = useLayer('checkpoints');
  const rivers = useLayer('rivers');
  const landmarkGeo = useLayer('landmarks');

  // ---- the map and the overlay: once per page ----
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const origin = window.location.origin;
    const open = tree.nodes[latest.current.area] ?? tree.nodes[tree.root];
    const map = new MapLibreMap({
      container,
      style: buildBasemapStyle({ theme: THEMES[latest.current.theme], origin }),
      ...(open
        ? { bounds: open.bbox as LngLatBoundsLike, fitBoundsOptions: { padding: FIT_PADDING, maxZoom: MAX_FIT_ZOOM } }
        : {}),
      minZoom: 7,
      maxZoom: 17,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      renderWorldCopies: false,
      attributionControl: false,
    });
    mapRef.current = map;
    map.touchZoomRotate.disableRotation();
    map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    const handle: OpsMapHandle = {
      project: (lon, lat) => {
        const p = map.project([lon, lat]);
        return [p.x, p.y];
      },
      ready: false,
      deckLayers: () => countLayers(drawnLayers.current),
      jumpTo: (lon, lat, zoom) => map.jumpTo({ center: [lon, lat], zoom }),
      zoom: () => map.getZoom(),
    };
    window.__OPSMAP__ = handle;
    const onZoom = () => {
      setZoomedOut(map.getZoom() < TICKET_POINTS_MIN_ZOOM);
      setZoomLevel(Math.floor(map.getZoom()));
    };
    map.on('zoom', onZoom);
    onZoom();

    map.once('load', () => {
      // The panels have laid out by now: fit the open area again, clear of them.
      const first = tree.nodes[latest.current.area];
      if (first) {
        const small = first.level !== 'district' && first.level !== 'town';
        map.fitBounds(first.bbox as LngLatBoundsLike, {
          padding: fitPadding(map, small),
          maxZoom: MAX_FIT_ZOOM,
          animate: false,
        });
      }
      const deck = new MapLibreOverlay({
        interleaved: true,
        layers: [],
        pickingRadius: 4,
        // The browser test reads which store versions the GPU has drawn.
        onAfterRender: () => {
          container.dataset.deckVersion = container.dataset.pendingVersion ?? '';
          if (!repickHover.current || !hoverRef.current) return;
          repickHover.current = false;
          // After this frame, not inside it: a pick renders the picking buffer.
          requestAnimationFrame(() => {
            const h = hoverRef.current;
            if (!h) return;
            const info = deck.pickObject({ x: h.x, y: h.y, radius: 4 });
            const picked = info?.layer && info.picked ? pickedOf(info.layer.id, info.object) : null;
            setHover(picked ? { ...h, picked } : null);
          });
        },
        onHover: (info: PickingInfo) => {
          const picked = info.layer && info.picked ? pickedOf(info.layer.id, info.object) : null;
          map.getCanvas().style.cursor = picked ? 'pointer' : '';
          setHover(picked ? { x: info.x, y: info.y, picked } : null);
        },
      });
      map.addControl(deck);
      // Clicks pick at the map's own click point, synchronously: deck.gl's onClick relies on the pick of the
      // pointer-down, which a quick click on a busy frame (the pulse redraws) could miss.
      map.on('click', (e) => {
        const info = deck.pickObject({ x: e.point.x, y: e.point.y, radius: 4 });
        const picked = info?.layer && info.picked ? pickedOf(info.layer.id, info.object) : null;
        if (!picked) return;
        if (picked.kind === 'cluster') {
          const { position, expansionZoom } = picked.cluster;
          // Never a click that does nothing: at least half a level in, even where the cluster would split later.
          map.flyTo({ center: position, zoom: Math.max(expansionZoom, map.getZoom() + 0.5), duration: FLY_MS });
        } else if (picked.kind === 'area') latest.current.onOpenArea(picked.key);
        else latest.current.onSelectObject(picked);
      });
      setDeckOverlay({ overlay: deck, handover: layerHandover() });
    });

    return () => {
      map.remove();
      mapRef.current = null;
      setDeckOverlay(null);
      if (window.__OPSMAP__ === handle) delete window.__OPSMAP__;
    };
  }, [tree]);

  // A layer that will not load is an error on screen, not a blank map.
  useEffect(() => {
    let alive = true;
    Promise.all([loadLayer('towns'), loadLayer('district'), loadLayer('rivers'), loadLayer('neighbors')]).then(
      ([, district]) => {
        const map = mapRef.current;
        const attribution = district.features[0]?.properties.attribution ?? '';
        if (!alive || !map || !attribution) return;
        map.addControl(new AttributionControl({ compact: true, customAttribution: attribution }), 'bottom-right');
        // Folded to its (i) button: opened, the credit line would sit over the legends of a narrow map.
        map.getContainer().querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
      },
      (e: unknown) => {
        if (!alive) return;
        setState('error');
        setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      alive = false;
    };
  }, []);

  // Ready once the overlay exists, the towns are drawn and the map has settled (people and tests wait for it).
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !overlay || !towns || state !== 'loading') return;
    const onIdle = () => {
      setState('ready');
      if (window.__OPSMAP__) window.__OPSMAP__.ready = true;
      const d = tree.nodes[tree.root];
      latest.current.onLoaded?.({ districtName: d?.name ?? '', townCount: towns.features.length, attribution: '' });
    };
    map.once('idle', onIdle);
    map.triggerRepaint();
    return () => {
      map.off('idle', onIdle);
    };
  }, [overlay, towns, state, tree]);

  // Town names as HTML labels (local fonts, crisp at any zoom), decluttered after each move.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !overlay || !towns) return;
    const ordered = [...towns.features].sort((a, b) => {
      const byKind = Number(a.properties.urban) - Number(b.properties.urban);
      const area = (id: string) => bboxArea(tree.nodes[`town:${id}`]?.bbox ?? [0, 0, 0, 0]);
      return byKind || area(b.properties.id) - area(a.properties.id);
    });
    const markers: Marker[] = [];
    const labels = ordered.map(({ properties: { name, urban, seat } }) => {
      const element = townLabel(name, urban);
      markers.push(new Marker({ element, anchor: 'center' }).setLngLat(seat as [number, number]).addTo(map));
      return element;
    });
    const onMoveEnd = () => declutter(labels);
    map.on('moveend', onMoveEnd);
    declutter(labels);
    return () => {
      map.off('moveend', onMoveEnd);
      for (const m of markers) m.remove();
    };
  }, [overlay, towns, tree]);

  // Theme: the running map takes the other paint; the deck.gl layers take theirs through their props.
  const paintedTheme = useRef(theme);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !overlay || paintedTheme.current === theme) return;
    paintedTheme.current = theme;
    for (const { layer, property, value } of basemapPaint(THEMES[theme]))
      map.setPaintProperty(layer, property as never, value as never);
  }, [theme, overlay]);

  // Drill-down: fly to the open area's bounding box.
  const flownTo = useRef(view.area);
  useEffect(() => {
    const map = mapRef.current;
    if (!map || flownTo.current === view.area) return;
    flownTo.current = view.area;
    const node = tree.nodes[view.area];
    const small = node !== undefined && node.level !== 'district' && node.level !== 'town';
    if (node)
      map.fitBounds(node.bbox as LngLatBoundsLike, {
        padding: fitPadding(map, small),
        duration: FLY_MS,
        maxZoom: MAX_FIT_ZOOM,
      });
    setHover(null);
  }, [view.area, tree]);

  // A focus point: fly to it and mark it; when it goes, back to the open area (after the drill-down above).
  const focusLon = focus?.lon ?? null;
  const focusLat = focus?.lat ?? null;
  const hadFocus = useRef(false);
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    if (focusLon === null || focusLat === null) {
      if (!hadFocus.current) return;
      hadFocus.current = false;
      const node = tree.nodes[latest.current.area];
      if (node)
        map.fitBounds(node.bbox as LngLatBoundsLike, {
          padding: fitPadding(map, node.level !== 'district' && node.level !== 'town'),
          duration: FLY_MS,
          maxZoom: MAX_FIT_ZOOM,
        });
      return;
    }
    hadFocus.current = true;
    const element = document.createElement('div');
    element.className = 'map-focus';
    const marker = new Marker({ element, anchor: 'center' }).setLngLat([focusLon, focusLat]).addTo(map);
    map.flyTo({ center: [focusLon, focusLat], zoom: FOCUS_ZOOM, duration: FLY_MS * 2 });
    return () => {
      marker.remove();
    };
  }, [focusLon, focusLat, tree]);

  // ---- layer data, memoised per slice version ----
  const v = live.versions;
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

  // The store's maps are mutated in place: each list is rebuilt when its slice's version moves.
  const ticketData = useMemo(
    () => (showTickets ? ticketsOf(live.tickets, ticketFilter) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- v.tickets stands for live.tickets, mutated in place
    [showTickets, live.tickets, v.tickets, ticketFilter],
  );
  // Mid zoom: clusters, with the tickets that stand alone at this zoom as points. The index is built when the
  // tickets change (and only while clusters are shown); a new integer zoom only reads another level of it.
  const ticketView = zoomedOut ? 'heatmap' : zoomLevel < TICKET_CLUSTER_MAX_ZOOM ? 'clusters' : 'points';
  const { clustering, stale: clustersStale } = useClustering(
    ticketData,
    ticketView === 'clusters',
    ticketFilter,
    live.tickets,
  );
  const clusterLevel = useMemo(() => clustering?.at(zoomLevel) ?? null, [clustering, zoomLevel]);
  const pointData = clusterLevel?.singles ?? ticketData;
  // Overdue points pulse; an overdue ticket inside a cluster shows in the cluster's red ring and count instead.
  const overdue = useMemo(() => overdueOf(pointData), [pointData]);
  const sites = useMemo(() => (checkpointGeo ? checkpointSitesOf(checkpointGeo) : []), [checkpointGeo]);
  const siteById = useMemo(() => new Map(sites.map((s) => [s.id, s])), [sites]);
  const rangerData = useMemo(
    () => (showRangers ? rangersOf(live.rangers) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- v.rangers stands for live.rangers, mutated in place
    [showRangers, live.rangers, v.rangers],
  );
  const incidentData = useMemo(
    () => (showRangers ? incidentsOf(live.incidents) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- v.incidents stands for live.incidents, mutated in place
    [showRangers, live.incidents, v.incidents],
  );
  const trails = useTrails(live, showRangers);
  const townId = placement.scope.startsWith('town:') ? placement.scope.slice('town:'.length) : null;
  const visited = useVisitedCells(townId, showCoverage);
  const squares = useMemo(() => visitedSquaresOf(visited), [visited]);
  const riverLabels = useMemo(() => (rivers ? riverLabelsOf(rivers as never) : []), [rivers]);
  const formatLevel = useMemo(() => formatters(i18n.language).metres, [i18n.language]);

  // ---- layers, each rebuilt only when its own inputs changed ----
  const choropleth = useMemo(
    () =>
      createChoroplethLayer({
        level,
        features,
        aggregates: live.aggregates,
        version: v.aggregates,
        metric,
        theme,
        beforeId: DECK_BEFORE_ID,
      }),
    [level, features, live.aggregates, v.aggregates, metric, theme],
  );
  // On a drill-down the new scope's areas have no values until its snapshot arrives: the old colours stay
  // until then rather than a grey frame of "no data" (the layer id changes with the level, so it is swapped).
  const shownChoropleth = useRef(choropleth);
  if (live.scope === placement.scope || live.scope === null) shownChoropleth.current = choropleth;
  const areaLayer = shownChoropleth.current;
  const selectedArea = useMemo(
    () => createSelectedAreaLayer({ feature: selectedFeature, theme }),
    [selectedFeature, theme],
  );
  const coverage = useMemo(() => createCoverageLayer({ data: squares }), [squares]);
  const riverText = useMemo(() => createRiverLabelLayer({ data: riverLabels, theme }), [riverLabels, theme]);
  const landmarkSites = useMemo(() => (landmarkGeo ? landmarkSitesOf(landmarkGeo) : []), [landmarkGeo]);
  const landmarks = useMemo(() => createLandmarkLayer({ data: landmarkSites, theme }), [landmarkSites, theme]);
  const landmarkText = useMemo(
    () => createLandmarkLabelLayer({ data: landmarkSites, theme, visible: !zoomedOutRaw }),
    [landmarkSites, theme, zoomedOutRaw],
  );
  const heatmap = useMemo(() => createTicketHeatmapLayer({ data: ticketData }), [ticketData]);
  const ticketPoints = useMemo(() => createTicketLayer({ data: pointData, theme }), [pointData, theme]);
  const ticketClusters = useMemo(
    () => createTicketClusterLayer({ data: clusterLevel?.clusters ?? [], theme }),
    [clusterLevel, theme],
  );
  const trailLayer = useMemo(() => createRangerTrailLayer({ data: trails }), [trails]);
  const checkpoints = useMemo(
    () => createCheckpointLayer({ sites, live: live.checkpoints, version: v.checkpoints, theme }),
    [sites, live.checkpoints, v.checkpoints, theme],
  );
  const checkpointLevels = useMemo(
    () =>
      createCheckpointLevelLayer({
        sites,
        live: live.checkpoints,
        version: v.checkpoints,
        theme,
        formatLevel,
        language: i18n.language,
        allLevels: !zoomedOutRaw,
      }),
    [sites, live.checkpoints, v.checkpoints, theme, formatLevel, i18n.language, zoomedOutRaw],
  );
  const rangerPoints = useMemo(() => createRangerLayer({ data: rangerData, theme }), [rangerData, theme]);
  const incidents = useMemo(() => createIncidentLayer({ data: incidentData, theme }), [incidentData, theme]);
  // objectPosition makes a new array each render: the layer follows its coordinates, not the array.
  const [selectedLon, selectedLat] = objectPosition(live, siteById, selection) ?? [null, null];
  const selectedObject = useMemo(
    () =>
      createSelectedObjectLayer({
        position: selectedLon !== null && selectedLat !== null ? [selectedLon, selectedLat] : null,
        theme,
      }),
    [selectedLon, selectedLat, theme],
  );

  // Bottom to top; the overdue pulse goes between `below` and `above`.
  const below = useMemo(() => {
    const out: Layer[] = [areaLayer];
    if (showCoverage && townId) out.push(coverage);
    out.push(selectedArea, riverText, landmarks, landmarkText);
    if (showTickets && zoomedOut) out.push(heatmap);
    if (showRangers) out.push(trailLayer);
    if (showTickets && !zoomedOut) out.push(ticketPoints);
    if (showTickets && ticketView === 'clusters') out.push(ticketClusters);
    return out;
  }, [
    areaLayer,
    coverage,
    selectedArea,
    riverText,
    landmarks,
    landmarkText,
    heatmap,
    trailLayer,
    ticketPoints,
    ticketClusters,
    ticketView,
    showCoverage,
    townId,
    showTickets,
    showRangers,
    zoomedOut,
  ]);
  const above = useMemo(() => {
    const out: Layer[] = [];
    if (showCheckpoints) out.push(checkpoints, checkpointLevels);
    if (showRangers) out.push(rangerPoints, incidents);
    out.push(selectedObject);
    return out;
  }, [checkpoints, checkpointLevels, rangerPoints, incidents, selectedObject, showCheckpoints, showRangers]);

  // Clusters waiting for their next rebuild do not show the latest tickets yet: not drawn until they do.
  const pendingVersion = `${metric.key}:${metric.window}:${level}:${placement.scope}:a${v.aggregates}:t${v.tickets}${clustersStale ? '~' : ''}`;
  useEffect(() => {
    const container = containerRef.current;
    if (!overlay || !handover || !container) return;
    container.dataset.pendingVersion = pendingVersion;
    repickHover.current = true;
    const pulsing = showTickets && overdue.length > 0;
    const draw = () => {
      const phase = (performance.now() % PULSE_PERIOD_MS) / PULSE_PERIOD_MS;
      const layers = handover(
        pulsing ? [...below, createTicketPulseLayer({ data: overdue, phase }), ...above] : [...below, ...above],
      );
      overlay.setProps({ layers });
      drawnLayers.current = layers;
    };
    draw();
    container.dataset.layers = [...below, ...above].map((l) => l.id).join(',');
    if (!pulsing) return;
    // Only this small layer changes per frame, and only in its uniforms (radiusScale, opacity).
    const timer = setInterval(draw, PULSE_FRAME_MS);
    return () => clearInterval(timer);
  }, [overlay, handover, below, above, overdue, showTickets, pendingVersion]);

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
          heatmap={zoomedOut}
          clusters={ticketView === 'clusters'}
        />
        <MapExport getMap={() => mapRef.current} tree={tree} area={view.area} />
      </div>
      {hover && <MapTooltip hover={hover} tree={tree} live={live} metric={metric} theme={theme} sites={siteById} />}
      {state === 'loading' && <div className="map-status">{t('loading')}</div>}
      {state === 'error' && <div className="map-error">{t('error', { message: error ?? '' })}</div>}
    </div>
  );
}

/** Where the picked object is on the map now (a ranger moves; a closed ticket leaves the map). */
function objectPosition(
  live: ReturnType<typeof useLive>,
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

/** A rebuild of the cluster index costs about 20 ms for 10,000 tickets (2-core machine): once a second at most. */
const CLUSTER_REFRESH_MS = 1000;

/**
 * The cluster index of the tickets shown: built at once when clusters come on, for another filter or another
 * store (history mode), and for a delta after a quiet second; under a stream of deltas at most once per
 * CLUSTER_REFRESH_MS, so that live deltas stay cheap. `stale`: the tickets changed since the last build.
 */
function useClustering(
  data: readonly TicketObject[],
  on: boolean,
  filter: TicketFilter,
  source: unknown,
): { clustering: TicketClustering | null; stale: boolean } {
  const built = useRef<{
    data: readonly TicketObject[];
    filter: TicketFilter;
    source: unknown;
    at: number;
    clustering: TicketClustering;
  } | null>(null);
  const [wakes, wake] = useReducer((n: number) => n + 1, 0);
  const now = performance.now();
  const b = built.current;
  let due = 0;
  if (!on) built.current = null;
  else if (!b || b.filter !== filter || b.source !== source || (b.data !== data && now - b.at >= CLUSTER_REFRESH_MS))
    built.current = { data, filter, source, at: now, clustering: clusterTickets(data) };
  else if (b.data !== data) due = b.at + CLUSTER_REFRESH_MS - now;
  const waiting = due > 0;
  // A timer may fire a fraction of a millisecond before `due` (timers count whole milliseconds): the wake then
  // finds the build still waiting, and `wakes` in the deps arms the next timer, so clusters never stay stale.
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(wake, Math.ceil(due));
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- due is read once per wait; data and wakes restart it
  }, [waiting, data, wakes]);
  return { clustering: built.current?.clustering ?? null, stale: waiting };
}

/**
 * Ranger trails, rebuilt from the store at most every TRAIL_REFRESH_MS (and at once for a new scope):
 * trails are the heaviest geometry on the map, and a few seconds of fade are invisible at 30 minutes.
 */
function useTrails(live: ReturnType<typeof useLive>, on: boolean): readonly Trail[] {
  const [trails, setTrails] = useState<readonly Trail[]>(NO_TRAILS);
  const built = useRef<{ at: number; scope: AreaKey | null; version: number }>({ at: 0, scope: null, version: -1 });
  const liveRef = useRef(live);
  liveRef.current = live;
  const clockRef = useRef(useClock());
  clockRef.current = useClock();
  useEffect(() => {
    if (!on) {
      built.current = { at: 0, scope: null, version: -1 };
      setTrails(NO_TRAILS);
      return;
    }
    const build = () => {
      // The moment shown: in history mode trails fade by the replay's time, not by today's.
      const now = clockRef.current.now();
      const l = liveRef.current;
      built.current = { at: now, scope: l.scope, version: l.versions.rangers };
      setTrails(trailsOf(l.rangers.values(), now));
    };
    if (built.current.version === live.versions.rangers && built.current.scope === live.scope) return;
    const wait = built.current.scope !== live.scope ? 0 : built.current.at + TRAIL_REFRESH_MS - clockRef.current.now();
    if (wait <= 0) {
      build();
      return;
    }
    const timer = setTimeout(build, wait);
    return () => clearTimeout(timer);
  }, [on, live.versions.rangers, live.scope]);
  return trails;
}
