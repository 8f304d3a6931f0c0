// The picked object (a ticket, checkpoint, ranger or incident shown in the detail panel), ringed so the eye
// finds it on the map. One datum: rebuilding it on every delta costs nothing, and a ranger's ring follows it.
import { ScatterplotLayer } from '@deck.gl/layers';
import type { ThemeName } from '../../view/url';
import { LAYER_THEMES } from '../palette';

export const SELECTED_OBJECT_ID = 'object-selected';

export interface SelectedObjectProps {
  /** Where the picked object is now; null when nothing is picked or it left the map. */
  position: [number, number] | null;
  theme: ThemeName;
}

export function createSelectedObjectLayer(p: SelectedObjectProps) {
  return new ScatterplotLayer<[number, number]>({
    id: SELECTED_OBJECT_ID,
    data: p.position ? [p.position] : [],
    getPosition: (d) => d,
    getRadius: 13,
    radiusUnits: 'pixels',
    filled: false,
    stroked: true,
    getLineColor: LAYER_THEMES[p.theme].selected,
    lineWidthUnits: 'pixels',
    getLineWidth: 3,
    updateTriggers: { getLineColor: [p.theme] },
  });
}
