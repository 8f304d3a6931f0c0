// The layer registry drives the map: the order of deck.gl's layer list comes from the entries, an entry's
// visibility rule (toggle, zoom band, mode) takes it off, layers are built from the store's data and built
// again only when what they select changed. No WebGL: the layers' props are read.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Layer } from '@deck.gl/core';
import { ScatterplotLayer } from '@deck.gl/layers';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { TICKET_CATEGORIES } from '../../server/contract/events';
import type { AreaAggregate, TicketObject } from '../../server/contract/live';
import type { LayerData } from '../../client/geo/layers';
import type { LiveView } from '../../client/live/store';
import { place } from '../../client/view/navigation';
import { NO_FILTER } from '../../client/view/ticket-filter';
import { defaultView, type Overlay, type ViewState } from '../../client/view/url';
import { metricOf } from '../../client/map/metrics';
import type { AreaFeature } from '../../client/map/layers/choropleth';
import { entry, LAYER_REGISTRY, type LayerRegistry } from '../../client/map/layers/registry';
import type { MapScene } from '../../client/map/layers/scene';
import { deckLayerCache, deckLayersOf, type DeckLayers } from '../../client/map/deck-layers';
import { useDeckLayers } from '../../client/map/useDeckLayers';
import { useMapScene, type MapSceneInput } from '../../client/map/useMapScene';

// ---- fixtures ----

const DISTRICT = 'district:110112' as AreaKey;
const TOWN = 'town:110112004' as AreaKey;
const node = (key: AreaKey, parent: AreaKey | null) => {
  const [level, id] = key.split(':') as [AreaTree['nodes'][string]['level'], string];
  return { key, level, id, name: id, parent, bbox: [116.5, 39.7, 116.9, 40.0] as [number, number, number, number] };
};
const tree: AreaTree = {
  root: DISTRICT,
  nodes: { [DISTRICT]: node(DISTRICT, null), [TOWN]: node(TOWN, DISTRICT) },
  children: { [DISTRICT]: [TOWN] },
};
const townFeature: AreaFeature = {
  type: 'Feature',
  properties: { id: '110112004' },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [116.6, 39.8],
        [116.7, 39.8],
        [116.7, 39.9],
        [116.6, 39.8],
      ],
    ],
  },
};

function ticket(id: string, over: Partial<TicketObject> = {}): TicketObject {
  return {
    id,
    category: 'road',
    urgency: 'normal',
    status: 'dispatched',
    title: '道路破损',
    position: [116.65, 39.85],
    place: { townId: '110112004', gridId: 'g-1' },
    createdAt: '2025-07-20T08:00:00+08:00',
    responseDueAt: '2025-07-20T10:00:00+08:00',
    resolveDueAt: '2025-07-23T08:00:00+08:00',
    overdue: false,
    nearDeadline: false,
    escalatedTo: [],
    ...over,
  } as TicketObject;
}

function liveView(tickets: readonly TicketObject[] = [], over: Partial<LiveView> = {}): LiveView {
  return {
    scope: DISTRICT,
    wanted: DISTRICT,
    seq: 1,
    connection: 'live',
    receivedAt: 0,
    aggregates: new Map<AreaKey, AreaAggregate>(),
    tickets: new Map(tickets.map((t) => [t.id, t])),
    checkpoints: new Map(),
    rangers: new Map(),
    incidents: new Map(),
    keys: [],
    versions: { aggregates: 1, tickets: 1, checkpoints: 1, rangers: 1, incidents: 1 },
    feed: [],
    snapshots: 1,
    gaps: 0,
    ...over,
  };
}

const formatLevel = (m: number) => `${m} m`;

/** A district scene at a cluster zoom, every overlay on; `over` changes what a test is about. */
function sceneOf(over: Partial<MapScene> = {}): MapScene {
  return {
    theme: 'wall',
    level: 'town',
    metric: metricOf('open'),
    overlays: ['tickets', 'checkpoints', 'rangers', 'coverage'],
    scope: DISTRICT,
    townId: null,
    ticketView: 'clusters',
    closeUp: true,
    live: liveView(),
    features: [townFeature],
    selectedFeature: null,
    tickets: [],
    clusters: [],
    ticketPoints: [],
    overdue: [],
    sites: [],
    rangers: [],
    incidents: [],
    trails: [],
    squares: [],
    riverLabels: [],
    landmarks: [],
    formatLevel,
    language: 'zh-CN',
    selectedLon: null,
    selectedLat: null,
    ...over,
  };
}

const idsOf = (layers: DeckLayers, now = 0) => layers.at(now).map((l) => l.id);
const layerOf = (layers: DeckLayers, id: string): Layer => {
  const layer = layers.at(0).find((l) => l.id === id);
  if (!layer) throw new Error(`no layer ${id} in ${idsOf(layers).join(',')}`);
  return layer;
};

// ---- order ----

describe('the layer registry orders the map', () => {
  it('draws the layers bottom to top in the entries’ order', () => {
    const layers = deckLayersOf(LAYER_REGISTRY, sceneOf(), deckLayerCache());
    expect(idsOf(layers)).toEqual([
      'choropleth-town',
      'area-selected',
      'river-labels',
      'landmarks',
      'landmark-labels',
      'ranger-trails',
      'tickets',
      'ticket-clusters',
      'checkpoints',
      'checkpoint-levels',
      'rangers',
      'incidents',
      'object-selected',
    ]);
  });

  it('puts an added entry between the two entries its order falls between', () => {
    const marks: LayerRegistry = {
      ...LAYER_REGISTRY,
      patrolMarks: entry({
        ids: ['patrol-marks'],
        order: (LAYER_REGISTRY.tickets.order + LAYER_REGISTRY.ticketClusters.order) / 2,
        overlay: null,
        select: (s) => ({ data: s.rangers }),
        props: ({ data }) => ({ id: 'patrol-marks', data }),
        factory: (p) => new ScatterplotLayer(p),
      }),
    };
    const ids = idsOf(deckLayersOf(marks, sceneOf(), deckLayerCache()));
    expect(ids.indexOf('patrol-marks')).toBe(ids.indexOf('tickets') + 1);
    expect(ids.indexOf('ticket-clusters')).toBe(ids.indexOf('patrol-marks') + 1);
  });
});

// ---- visibility ----

describe('an entry’s visibility rule takes it off the map', () => {
  const ids = (over: Partial<MapScene>) => idsOf(deckLayersOf(LAYER_REGISTRY, sceneOf(over), deckLayerCache()));

  it('by its overlay toggle', () => {
    const shown = ids({ overlays: ['tickets'] as Overlay[] });
    expect(shown).toContain('tickets');
    for (const off of ['checkpoints', 'checkpoint-levels', 'rangers', 'incidents', 'ranger-trails'])
      expect(shown).not.toContain(off);
    expect(ids({ overlays: [] })).not.toContain('tickets');
  });

  it('by the zoom band: a heatmap in the district overview, clusters at mid zoom, points close up', () => {
    const heat = ids({ ticketView: 'heatmap' });
    expect(heat).toContain('tickets-heatmap');
    expect(heat).not.toContain('tickets');
    expect(heat).not.toContain('ticket-clusters');
    const points = ids({ ticketView: 'points' });
    expect(points).toContain('tickets');
    expect(points).not.toContain('ticket-clusters');
    expect(points).not.toContain('tickets-heatmap');
  });

  it('by the mode: patrol coverage only inside a town, the pulse only with overdue points', () => {
    expect(ids({})).not.toContain('patrol-coverage');
    expect(ids({ scope: TOWN, townId: '110112004' })).toContain('patrol-coverage');
    expect(ids({})).not.toContain('tickets-overdue');
    const late = [ticket('T1', { overdue: true })];
    const shown = ids({ ticketPoints: late, overdue: late });
    expect(shown.indexOf('tickets-overdue')).toBe(shown.indexOf('ticket-clusters') + 1);
  });
});

// ---- building ----

describe('layers built from the scene', () => {
  it('builds a layer again only when what it selects changed', () => {
    const cache = deckLayerCache();
    const scene = sceneOf();
    const first = deckLayersOf(LAYER_REGISTRY, scene, cache);
    // Nothing changed: the same list, so the overlay is not handed a new one.
    expect(deckLayersOf(LAYER_REGISTRY, { ...scene }, cache)).toBe(first);
    const points = [ticket('T1')];
    const next = deckLayersOf(LAYER_REGISTRY, { ...scene, ticketPoints: points }, cache);
    expect(next).not.toBe(first);
    expect(layerOf(next, 'tickets')).not.toBe(layerOf(first, 'tickets'));
    expect(layerOf(next, 'tickets').props.data).toBe(points);
    // A tickets delta leaves the areas' layer, and its GPU buffers, as they were.
    expect(layerOf(next, 'choropleth-town')).toBe(layerOf(first, 'choropleth-town'));
  });

  it('keeps the old colours while a drill-down waits for its snapshot', () => {
    const cache = deckLayerCache();
    const before = deckLayersOf(LAYER_REGISTRY, sceneOf(), cache);
    const waiting = sceneOf({ scope: TOWN, level: 'grid', features: [], live: liveView([], { scope: DISTRICT }) });
    expect(layerOf(deckLayersOf(LAYER_REGISTRY, waiting, cache), 'choropleth-town')).toBe(
      layerOf(before, 'choropleth-town'),
    );
    const arrived = { ...waiting, live: liveView([], { scope: TOWN }) };
    expect(idsOf(deckLayersOf(LAYER_REGISTRY, arrived, cache))[0]).toBe('choropleth-grid');
  });

  it('draws the overdue pulse afresh for each frame, the other layers as they were built', () => {
    const late = [ticket('T1', { overdue: true })];
    const layers = deckLayersOf(LAYER_REGISTRY, sceneOf({ ticketPoints: late, overdue: late }), deckLayerCache());
    expect(layers.animated).toBe(true);
    // The list the tests read (data-layers) names the layers drawn once, not the per-frame pulse.
    expect(layers.ids).not.toContain('tickets-overdue');
    const pulseScale = (now: number) =>
      (layers.at(now).find((l) => l.id === 'tickets-overdue')!.props as unknown as { radiusScale: number }).radiusScale;
    expect(pulseScale(0)).not.toBe(pulseScale(800));
    expect(layers.at(0)[0]).toBe(layers.at(800)[0]);
  });
});

// ---- the hooks, from the store ----

/** Renders the map's scene and layer hooks once (no DOM: effects do not run) and returns the layers. */
function layersFromStore(input: Partial<MapSceneInput> & { live: LiveView; view: ViewState }): DeckLayers {
  let out: DeckLayers | null = null;
  function Probe() {
    const { scene } = useMapScene({
      tree,
      placement: place(tree, input.view),
      ticketFilter: NO_FILTER,
      selection: null,
      towns: { type: 'FeatureCollection', features: [townFeature] } as unknown as LayerData<'towns'>,
      zoomedOut: false,
      zoomLevel: 15,
      language: 'zh-CN',
      ...input,
    });
    out = useDeckLayers(scene);
    return null;
  }
  renderToString(createElement(Probe));
  if (!out) throw new Error('not rendered');
  return out;
}

describe('useDeckLayers with useMapScene', () => {
  const other = TICKET_CATEGORIES.find((c) => c !== 'road')!;
  const tickets = [ticket('T1'), ticket('T2', { overdue: true }), ticket('T3', { category: other })];

  it('draws the store’s tickets that the table’s filter shows, as points close up, the overdue one pulsing', () => {
    const layers = layersFromStore({
      live: liveView(tickets),
      view: defaultView(DISTRICT),
      ticketFilter: { ...NO_FILTER, category: 'road' },
    });
    expect((layerOf(layers, 'tickets').props.data as TicketObject[]).map((t) => t.id)).toEqual(['T1', 'T2']);
    const pulse = layers.at(0).find((l) => l.id === 'tickets-overdue');
    expect((pulse?.props.data as TicketObject[]).map((t) => t.id)).toEqual(['T2']);
    expect(layerOf(layers, 'choropleth-town').props.data).toEqual([townFeature]);
  });

  it('draws the store’s tickets as a heatmap in the district overview, and none with the overlay off', () => {
    const heat = layersFromStore({ live: liveView(tickets), view: defaultView(DISTRICT), zoomedOut: true });
    expect(heat.ids).toContain('tickets-heatmap');
    expect(heat.ids).not.toContain('tickets');
    const off = layersFromStore({
      live: liveView(tickets),
      view: { ...defaultView(DISTRICT), overlays: ['checkpoints'] },
    });
    expect(off.ids.some((id) => id.startsWith('tickets'))).toBe(false);
    expect(off.ids).toContain('checkpoints');
  });
});
