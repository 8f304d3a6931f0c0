// The offline basemap: a MapLibre style built in code from the area layers this server serves.
// No tiles, no glyphs, no sprites: nothing is fetched from any host but the page's own origin.
// Text is drawn outside MapLibre (HTML town labels, deck.gl TextLayer for rivers), so there are no symbol layers.
import type { MapOptions } from 'maplibre-gl';
import type { LayerName } from '../../server/contract/areas';

/** MapLibre's style type, taken from its own API (the style-spec package is not a direct dependency). */
export type MapStyle = Exclude<MapOptions['style'], string | undefined>;
type StyleLayer = MapStyle['layers'][number];

export interface MapTheme {
  background: string;
  neighborFill: string;
  neighborLine: string;
  /** Town fills: urban streets (街道, dense core) and rural towns / townships (镇 / 乡). */
  townFillUrban: string;
  townFillRural: string;
  townFillHover: string;
  townLine: string;
  districtLine: string;
  districtGlow: string;
  river: string;
  /** HTML text drawn over the map (town names). */
  label: string;
  labelHalo: string;
}

/** Dark theme for the command-centre video wall (the default). */
export const WALL_THEME: MapTheme = {
  background: '#060d18',
  neighborFill: '#0c1626',
  neighborLine: '#1f2f47',
  townFillUrban: '#17426d',
  townFillRural: '#112f4f',
  townFillHover: '#22609a',
  townLine: '#4f8fd0',
  districtLine: '#f2c14e',
  districtGlow: '#f2c14e',
  river: '#35b7ff',
  label: '#e6f1ff',
  labelHalo: '#060d18',
};

/** Light theme for desk screens and print. */
export const DAY_THEME: MapTheme = {
  background: '#eef1f5',
  neighborFill: '#e2e6ec',
  neighborLine: '#c3cad4',
  // Neutral greys: the desk's lightest choropleth class is a pale blue and must not melt into the basemap.
  townFillUrban: '#dde1e7',
  townFillRural: '#e6e9ee',
  townFillHover: '#cdd3dc',
  townLine: '#6f93bd',
  districtLine: '#c2410c',
  districtGlow: '#f59e0b',
  river: '#1d7fd6',
  label: '#1e2a3a',
  labelHalo: '#ffffff',
};

export const THEMES = { wall: WALL_THEME, day: DAY_THEME } as const;
export type ThemeName = keyof typeof THEMES;

/** Where the client reads an area layer: the same origin, versioned API. */
export function areaLayerUrl(layer: LayerName, origin: string = window.location.origin): string {
  return new URL(`/api/v1/areas/${layer}`, origin).href;
}

export function areaTreeUrl(origin: string = window.location.origin): string {
  return new URL('/api/v1/areas/tree', origin).href;
}

/** Style layer ids that carry town polygons (the map view makes them hoverable). */
export const TOWN_FILL_LAYER = 'towns-fill';

export interface BasemapOptions {
  theme?: MapTheme;
  /** Origin the GeoJSON is fetched from; MapLibre fetches in a worker, so URLs must be absolute. */
  origin?: string;
}

export function buildBasemapStyle({
  theme = WALL_THEME,
  origin = window.location.origin,
}: BasemapOptions = {}): MapStyle {
  const source = (layer: LayerName) => ({
    type: 'geojson' as const,
    data: areaLayerUrl(layer, origin),
    // Feature ids come from properties.id, so feature-state (hover, later: alert colours) can address towns.
    promoteId: 'id',
  });

  const layers: StyleLayer[] = [
    { id: 'background', type: 'background', paint: { 'background-color': theme.background } },

    // Neighbouring districts: muted context, so the district reads as the subject.
    { id: 'neighbors-fill', type: 'fill', source: 'neighbors', paint: { 'fill-color': theme.neighborFill } },
    {
      id: 'neighbors-line',
      type: 'line',
      source: 'neighbors',
      paint: { 'line-color': theme.neighborLine, 'line-width': 1 },
    },

    {
      id: TOWN_FILL_LAYER,
      type: 'fill',
      source: 'towns',
      paint: {
        'fill-color': [
          'case',
          ['boolean', ['feature-state', 'hover'], false],
          theme.townFillHover,
          ['==', ['get', 'urban'], true],
          theme.townFillUrban,
          theme.townFillRural,
        ],
      },
    },
    {
      id: 'towns-line',
      type: 'line',
      source: 'towns',
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': theme.townLine,
        'line-width': ['interpolate', ['linear'], ['zoom'], 9, 0.8, 13, 2],
        'line-opacity': 0.85,
      },
    },

    {
      id: 'rivers-line',
      type: 'line',
      source: 'rivers',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: {
        'line-color': theme.river,
        'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.5, 13, 4],
        'line-opacity': 0.9,
      },
    },

    // The district border on top: a soft glow under a crisp line.
    {
      id: 'district-glow',
      type: 'line',
      source: 'district',
      layout: { 'line-join': 'round' },
      paint: { 'line-color': theme.districtGlow, 'line-width': 10, 'line-blur': 8, 'line-opacity': 0.35 },
    },
    {
      id: 'district-line',
      type: 'line',
      source: 'district',
      layout: { 'line-join': 'round' },
      paint: { 'line-color': theme.districtLine, 'line-width': 2.5 },
    },
  ];

  return {
    version: 8,
    name: 'ops-map-basemap',
    sources: {
      neighbors: source('neighbors'),
      towns: source('towns'),
      rivers: source('rivers'),
      district: source('district'),
    },
    layers,
  };
}

/**
 * The paint properties of every basemap layer in a theme: switching the theme sets these on the running map,
 * so the sources, the deck.gl layers interleaved between them and the camera all stay (no blank frame).
 */
export function basemapPaint(theme: MapTheme): { layer: string; property: string; value: unknown }[] {
  const out: { layer: string; property: string; value: unknown }[] = [];
  for (const layer of buildBasemapStyle({ theme, origin: 'http://localhost' }).layers) {
    const paint = (layer as { paint?: Record<string, unknown> }).paint ?? {};
    for (const [property, value] of Object.entries(paint)) out.push({ layer: layer.id, property, value });
  }
  return out;
}
