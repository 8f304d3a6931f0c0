// River names (河名) in Chinese, drawn by deck.gl's TextLayer from the page's local fonts: no glyph server.
// Town names are HTML labels (MapView), which the browser declutters by their real size.
import { TextLayer } from '@deck.gl/layers';
import type { LayerCollection, RiverProps } from '../../../server/contract/areas';
import type { ThemeName } from '../../view/url';
import { LAYER_THEMES } from '../palette';

export const RIVER_LABELS_ID = 'river-labels';

export interface PlaceLabel {
  id: string;
  name: string;
  position: [number, number];
}

type RiverGeometry =
  { type: 'LineString'; coordinates: number[][] } | { type: 'MultiLineString'; coordinates: number[][][] };

/** One label per river, at the middle vertex of its longest part (a river's name belongs on its main stem). */
export function riverLabelsOf(rivers: LayerCollection<RiverProps, RiverGeometry>): PlaceLabel[] {
  const out: PlaceLabel[] = [];
  for (const f of rivers.features) {
    const parts = f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.coordinates;
    let longest: number[][] = [];
    for (const part of parts) if (part.length > longest.length) longest = part;
    const mid = longest[Math.floor(longest.length / 2)];
    if (mid) out.push({ id: f.properties.id, name: f.properties.name, position: [mid[0]!, mid[1]!] });
  }
  return out;
}

export interface RiverLabelProps {
  data: readonly PlaceLabel[];
  theme: ThemeName;
}

export function createRiverLabelLayer(p: RiverLabelProps) {
  const theme = LAYER_THEMES[p.theme];
  return new TextLayer<PlaceLabel>({
    id: RIVER_LABELS_ID,
    data: p.data,
    getPosition: (l) => l.position,
    getText: (l) => l.name,
    getColor: p.theme === 'wall' ? [120, 205, 255, 255] : [20, 100, 180, 255],
    getSize: 13,
    sizeUnits: 'pixels',
    // 'auto' builds the atlas from the names themselves: the few dozen Chinese characters of the rivers.
    characterSet: 'auto',
    fontFamily: 'Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, sans-serif',
    fontSettings: { sdf: true },
    outlineWidth: 3,
    outlineColor: theme.textHalo,
    getPixelOffset: [0, -10],
    updateTriggers: { getColor: [p.theme] },
  });
}
