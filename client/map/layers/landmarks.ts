// Landmarks (地标): the parks and sites the domain seeds name, as context for reading the map. Their points are
// placed by hand (data/SOURCES.md), so they are drawn as hollow rings, never as a precise pin, and their names
// appear only from the zoom where tickets become points (at district zoom they would crowd the town names).
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { LandmarkProps, LayerCollection, PointGeometry } from '../../../server/contract/areas';
import type { ThemeName } from '../../view/url';
import { LAYER_THEMES, type Rgba } from '../palette';

export const LANDMARKS_ID = 'landmarks';
export const LANDMARK_LABELS_ID = 'landmark-labels';

export interface LandmarkSite {
  id: string;
  name: string;
  kind: LandmarkProps['kind'];
  approximate: boolean;
  position: [number, number];
}

export function landmarkSitesOf(layer: LayerCollection<LandmarkProps, PointGeometry>): LandmarkSite[] {
  return layer.features.map(({ properties: p, geometry }) => ({
    id: p.id,
    name: p.name,
    kind: p.kind,
    approximate: p.approximate,
    position: [geometry.coordinates[0]!, geometry.coordinates[1]!],
  }));
}

/** Parks green, heritage and named districts ochre: apart from every warning and category colour. */
export const LANDMARK_RGBA: Readonly<Record<LandmarkProps['kind'], Rgba>> = {
  park: [46, 160, 90, 255],
  heritage: [176, 122, 40, 255],
  district: [176, 122, 40, 255],
};

/** An approximate place is a wide ring (where it is, roughly); a surveyed one would be a small filled dot. */
export const landmarkRadius = (s: LandmarkSite): number => (s.approximate ? 9 : 5);

export interface LandmarkLayerProps {
  data: readonly LandmarkSite[];
  theme: ThemeName;
}

export function createLandmarkLayer(p: LandmarkLayerProps) {
  return new ScatterplotLayer<LandmarkSite>({
    id: LANDMARKS_ID,
    data: p.data,
    getPosition: (s) => s.position,
    getRadius: landmarkRadius,
    radiusUnits: 'pixels',
    filled: true,
    // A faint fill so the ring reads as an area of uncertainty, not a target.
    getFillColor: (s) => [...LANDMARK_RGBA[s.kind].slice(0, 3), s.approximate ? 40 : 255] as Rgba,
    stroked: true,
    getLineColor: (s) => LANDMARK_RGBA[s.kind],
    lineWidthUnits: 'pixels',
    getLineWidth: 2,
    pickable: false,
  });
}

export interface LandmarkLabelProps extends LandmarkLayerProps {
  /** Names are drawn only when zoomed in enough. */
  visible: boolean;
}

/** The name, with "≈" before an approximate place so a reader never takes the ring for a surveyed point. */
export const landmarkLabel = (s: LandmarkSite): string => (s.approximate ? `≈ ${s.name}` : s.name);

export function createLandmarkLabelLayer(p: LandmarkLabelProps) {
  const theme = LAYER_THEMES[p.theme];
  return new TextLayer<LandmarkSite>({
    id: LANDMARK_LABELS_ID,
    data: p.data,
    visible: p.visible,
    getPosition: (s) => s.position,
    getText: landmarkLabel,
    // The theme's text colour: a green name over the blue choropleth would not read.
    getColor: theme.text,
    getSize: 13,
    sizeUnits: 'pixels',
    // 'auto' builds the atlas from the names themselves: a few dozen Chinese characters.
    characterSet: 'auto',
    fontFamily: 'Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, sans-serif',
    fontSettings: { sdf: true },
    outlineWidth: 3,
    outlineColor: theme.textHalo,
    getPixelOffset: [0, 14],
    updateTriggers: { getColor: [p.theme] },
  });
}
