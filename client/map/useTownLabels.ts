// Town names as HTML labels (local fonts, crisp at any zoom), decluttered after each move.
import { useEffect } from 'react';
import { Marker, type Map as MapLibreMap } from 'maplibre-gl';
import type { AreaTree } from '../../server/contract/areas';
import type { LayerData } from '../geo/layers';

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

const bboxArea = ([w, s, e, n]: readonly number[]) => ((e ?? 0) - (w ?? 0)) * ((n ?? 0) - (s ?? 0));

function townLabel(name: string, urban: boolean): HTMLElement {
  const el = document.createElement('div');
  el.className = urban ? 'town-label town-label--urban' : 'town-label';
  el.textContent = name;
  return el;
}

/** `drawn`: the overlay is on the map (the labels come with the live layers, not before them). */
export function useTownLabels(
  map: MapLibreMap | null,
  drawn: boolean,
  towns: LayerData<'towns'> | null,
  tree: AreaTree,
): void {
  useEffect(() => {
    if (!map || !drawn || !towns) return;
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
  }, [map, drawn, towns, tree]);
}
