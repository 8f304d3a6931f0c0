/// <reference types="vite/client" />
// The map for the life of the page: MapLibre with the offline basemap and one deck.gl overlay, interleaved,
// made once per area tree; the theme applied as paint properties; the attribution; the ready state people and
// tests wait for; and the pointer on the overlay (hover card, clicks). Nothing here is torn down by a delta,
// a drill-down or a theme change, so no frame is blank.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { AttributionControl, Map as MapLibreMap, NavigationControl, setWorkerUrl } from 'maplibre-gl';
import type { LngLatBoundsLike } from 'maplibre-gl';
// Vite must emit MapLibre's worker as a file of its own; without this the worker 404s in a build.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import '../styles/map.css';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import type { CompositeLayer, Layer, PickingInfo } from '@deck.gl/core';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { loadLayer, type LayerData } from '../geo/layers';
import type { ObjectSelection } from '../view/selection';
import type { ThemeName } from '../view/url';
import { basemapPaint, buildBasemapStyle, THEMES } from './style';
import { pickedOf } from './layers/registry';
import { layerHandover, type LayerHandover } from './layers/handover';
import type { Hover } from './MapTooltip';
import { FIT_PADDING, FLY_MS, MAX_FIT_ZOOM, fitArea } from './useCamera';

setWorkerUrl(workerUrl);

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

/** The overlay with what drawing on it needs. */
export interface MapDeck {
  overlay: MapLibreOverlay;
  /** Made with the overlay: a memoized layer turned off and on again must not reach it as one it finalized. */
  handover: LayerHandover;
  /** The layers last handed to the overlay. */
  drawn: RefObject<readonly Layer[]>;
  /** Pick the object under a still pointer again after the next draw. */
  repickAfterDraw(): void;
}

export interface MapLifecycleInput {
  tree: AreaTree;
  area: AreaKey;
  theme: ThemeName;
  towns: LayerData<'towns'> | null;
  /** A click on an area: drill down into it. */
  onOpenArea: (key: AreaKey) => void;
  onSelectObject: (selection: ObjectSelection) => void;
  /** Called once the geography is on screen. */
  onLoaded?: (summary: MapSummary) => void;
}

export interface MapLifecycle {
  containerRef: RefObject<HTMLDivElement | null>;
  map: MapLibreMap | null;
  /** Null until the basemap has loaded. */
  deck: MapDeck | null;
  state: 'loading' | 'ready' | 'error';
  error: string | null;
  hover: Hover | null;
  setHover: (hover: Hover | null) => void;
}

/** Layers with their sublayers (a composite's are there once deck.gl has drawn it). */
const countLayers = (layers: readonly Layer[]): number =>
  layers.reduce((n, l) => n + 1 + (l.isComposite ? countLayers((l as CompositeLayer).getSubLayers()) : 0), 0);

export function useMapLifecycle(input: MapLifecycleInput): MapLifecycle {
  const { tree, theme, towns } = input;
  const containerRef = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  const [deck, setDeck] = useState<MapDeck | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  // The hover card follows the data under a still pointer: after new layers are drawn, the object under the
  // pointer is picked again (a cluster that grew by a live delta shows its new count without a mouse move).
  const hoverRef = useRef(hover);
  hoverRef.current = hover;
  // The overlay's callbacks are set once; they read the latest props through this ref.
  const latest = useRef(input);
  latest.current = input;

  // ---- the map and the overlay: once per page ----
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const origin = window.location.origin;
    const open = tree.nodes[latest.current.area] ?? tree.nodes[tree.root];
    const created = new MapLibreMap({
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
    created.touchZoomRotate.disableRotation();
    created.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    const drawn: { current: readonly Layer[] } = { current: [] };
    let repick = false;
    const handle: OpsMapHandle = {
      project: (lon, lat) => {
        const p = created.project([lon, lat]);
        return [p.x, p.y];
      },
      ready: false,
      deckLayers: () => countLayers(drawn.current),
      jumpTo: (lon, lat, zoom) => created.jumpTo({ center: [lon, lat], zoom }),
      zoom: () => created.getZoom(),
    };
    window.__OPSMAP__ = handle;
    setMap(created);

    created.once('load', () => {
      // The panels have laid out by now: fit the open area again, clear of them.
      const first = tree.nodes[latest.current.area];
      if (first) fitArea(created, first, 0);
      const overlay = new MapLibreOverlay({
        interleaved: true,
        layers: [],
        pickingRadius: 4,
        // The browser test reads which store versions the GPU has drawn.
        onAfterRender: () => {
          container.dataset.deckVersion = container.dataset.pendingVersion ?? '';
          if (!repick || !hoverRef.current) return;
          repick = false;
          // After this frame, not inside it: a pick renders the picking buffer.
          requestAnimationFrame(() => {
            const h = hoverRef.current;
            if (!h) return;
            const info = overlay.pickObject({ x: h.x, y: h.y, radius: 4 });
            const picked = info?.layer && info.picked ? pickedOf(info.layer.id, info.object) : null;
            setHover(picked ? { ...h, picked } : null);
          });
        },
        onHover: (info: PickingInfo) => {
          const picked = info.layer && info.picked ? pickedOf(info.layer.id, info.object) : null;
          created.getCanvas().style.cursor = picked ? 'pointer' : '';
          setHover(picked ? { x: info.x, y: info.y, picked } : null);
        },
      });
      created.addControl(overlay);
      // Clicks pick at the map's own click point, synchronously: deck.gl's onClick relies on the pick of the
      // pointer-down, which a quick click on a busy frame (the pulse redraws) could miss.
      created.on('click', (e) => {
        const info = overlay.pickObject({ x: e.point.x, y: e.point.y, radius: 4 });
        const picked = info?.layer && info.picked ? pickedOf(info.layer.id, info.object) : null;
        if (!picked) return;
        if (picked.kind === 'cluster') {
          const { position, expansionZoom } = picked.cluster;
          // Never a click that does nothing: at least half a level in, even where the cluster would split later.
          created.flyTo({ center: position, zoom: Math.max(expansionZoom, created.getZoom() + 0.5), duration: FLY_MS });
        } else if (picked.kind === 'area') latest.current.onOpenArea(picked.key);
        else latest.current.onSelectObject(picked);
      });
      setDeck({
        overlay,
        handover: layerHandover(),
        drawn,
        repickAfterDraw: () => {
          repick = true;
        },
      });
    });

    return () => {
      created.remove();
      setMap(null);
      setDeck(null);
      if (window.__OPSMAP__ === handle) delete window.__OPSMAP__;
    };
  }, [tree]);

  // A layer that will not load is an error on screen, not a blank map.
  useEffect(() => {
    if (!map) return;
    let alive = true;
    Promise.all([loadLayer('towns'), loadLayer('district'), loadLayer('rivers'), loadLayer('neighbors')]).then(
      ([, district]) => {
        const attribution = district.features[0]?.properties.attribution ?? '';
        if (!alive || !attribution) return;
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
  }, [map]);

  // Ready once the overlay exists, the towns are drawn and the map has settled (people and tests wait for it).
  useEffect(() => {
    if (!map || !deck || !towns || state !== 'loading') return;
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
  }, [map, deck, towns, state, tree]);

  // Theme: the running map takes the other paint; the deck.gl layers take theirs through their props.
  const paintedTheme = useRef(theme);
  useEffect(() => {
    if (!map || !deck || paintedTheme.current === theme) return;
    paintedTheme.current = theme;
    for (const { layer, property, value } of basemapPaint(THEMES[theme]))
      map.setPaintProperty(layer, property as never, value as never);
  }, [theme, map, deck]);

  return { containerRef, map, deck, state, error, hover, setHover };
}
