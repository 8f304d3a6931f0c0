// Where the map looks: the open area fitted clear of the panels, a drill-down flown to, a focus point (the
// wall's alert take-over) flown to and marked, and the zoom band the layers follow.
import { useEffect, useRef, useState } from 'react';
import { Marker, type LngLatBoundsLike, type Map as MapLibreMap } from 'maplibre-gl';
import type { AreaKey, AreaNode, AreaTree } from '../../server/contract/areas';
import { TICKET_POINTS_MIN_ZOOM } from './layers/tickets';

export const FIT_PADDING = { top: 48, bottom: 48, left: 48, right: 48 };
export const FLY_MS = 900;
export const MAX_FIT_ZOOM = 15;
/** Close enough to see the streets around a focus point, wide enough to see where in the town it is. */
const FOCUS_ZOOM = 13.5;
/** A grid cell or property district is small: around it, a share of the screen shows its neighbours. */
const CELL_CONTEXT_SHARE = 0.3;

/**
 * Padding for fitting an area: clear of the detail panel (top left of the map pane) and of the map's controls
 * (top right), so the open area sits in the free part of the map; small areas get room for their neighbours.
 */
export function fitPadding(map: MapLibreMap, small: boolean) {
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

/** Cells, property districts and forest clusters are small: they are fitted with their neighbours around. */
const isSmall = (node: AreaNode): boolean => node.level !== 'district' && node.level !== 'town';

/** Fits an area clear of the panels; `duration` 0: at once. */
export function fitArea(map: MapLibreMap, node: AreaNode, duration: number): void {
  map.fitBounds(node.bbox as LngLatBoundsLike, {
    padding: fitPadding(map, isSmall(node)),
    maxZoom: MAX_FIT_ZOOM,
    ...(duration > 0 ? { duration } : { animate: false }),
  });
}

export interface CameraInput {
  map: MapLibreMap | null;
  tree: AreaTree;
  area: AreaKey;
  focus: { lon: number; lat: number } | null;
  /** Called when a drill-down flies to another area (the hover card of the old one goes). */
  onAreaFlight: () => void;
}

export interface Camera {
  /** Below the zoom where tickets become points (the district overview). */
  zoomedOut: boolean;
  /** The integer zoom: clusters change only when it does, not on every frame of a zoom. */
  zoomLevel: number;
}

export function useCamera({ map, tree, area, focus, onAreaFlight }: CameraInput): Camera {
  const [zoomedOut, setZoomedOut] = useState(true);
  const [zoomLevel, setZoomLevel] = useState(0);
  const latest = useRef({ area, onAreaFlight });
  latest.current = { area, onAreaFlight };

  useEffect(() => {
    if (!map) return;
    const onZoom = () => {
      setZoomedOut(map.getZoom() < TICKET_POINTS_MIN_ZOOM);
      setZoomLevel(Math.floor(map.getZoom()));
    };
    map.on('zoom', onZoom);
    onZoom();
    return () => {
      map.off('zoom', onZoom);
    };
  }, [map]);

  // Drill-down: fly to the open area's bounding box.
  const flownTo = useRef(area);
  useEffect(() => {
    if (!map || flownTo.current === area) return;
    flownTo.current = area;
    const node = tree.nodes[area];
    if (node) fitArea(map, node, FLY_MS);
    latest.current.onAreaFlight();
  }, [map, area, tree]);

  // A focus point: fly to it and mark it; when it goes, back to the open area (after the drill-down above).
  const focusLon = focus?.lon ?? null;
  const focusLat = focus?.lat ?? null;
  const hadFocus = useRef(false);
  useEffect(() => {
    if (!map) return;
    if (focusLon === null || focusLat === null) {
      if (!hadFocus.current) return;
      hadFocus.current = false;
      const node = tree.nodes[latest.current.area];
      if (node) fitArea(map, node, FLY_MS);
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
  }, [map, focusLon, focusLat, tree]);

  return { zoomedOut, zoomLevel };
}
