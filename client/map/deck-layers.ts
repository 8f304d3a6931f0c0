// The registry turned into deck.gl's layer list for one scene: the entries shown, in their order, each layer
// built again only when its selection changed (a tickets delta leaves the areas' layer, and its GPU buffers,
// as they were). Pure but for the cache it is handed; `useDeckLayers` keeps that cache for a component.
import type { Layer } from '@deck.gl/core';
import { isVisible, type LayerEntry, type LayerRegistry, type Selection } from './layers/registry';
import type { MapScene } from './layers/scene';

/** One entry on the map: its layer, or for an animated entry its selection (its layer is per frame). */
interface Slot {
  entry: LayerEntry;
  selected: Selection;
  layer: Layer | null;
}

export interface DeckLayers {
  /** The ids of the layers shown, bottom to top; animated layers (the overdue pulse) left out. */
  ids: readonly string[];
  /** True when a layer is animated: the list is drawn again every frame, with `at`. */
  animated: boolean;
  /** The list for a frame at `now` (ms): the layers as built, animated ones at that moment. */
  at(now: number): Layer[];
}

/** What a component keeps between scenes: each kind's last selection and layer, and the last list. */
export interface DeckLayerCache {
  built: Map<string, { selected: Selection; layer: Layer | null }>;
  last: { slots: readonly Slot[]; layers: DeckLayers } | null;
}

export const deckLayerCache = (): DeckLayerCache => ({ built: new Map(), last: null });

const sameSelection = (a: Selection, b: Selection): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]));
};

/** The entry's selection and layer in this scene, from the cache when nothing it reads has changed. */
function slotOf(kind: string, entry: LayerEntry, scene: MapScene, cache: DeckLayerCache): Slot {
  const before = cache.built.get(kind);
  if (before && entry.hold?.(scene)) return { entry, ...before };
  const selected = entry.select(scene);
  if (before && sameSelection(before.selected, selected)) return { entry, ...before };
  const layer = entry.animated ? null : entry.build(selected, 0);
  cache.built.set(kind, { selected, layer });
  return { entry, selected, layer };
}

/** The same list as last time (same entries, same layers, same selections): the map need not be drawn again. */
const sameSlots = (a: readonly Slot[], b: readonly Slot[]): boolean =>
  a.length === b.length &&
  a.every((s, i) => s.entry === b[i]!.entry && s.layer === b[i]!.layer && s.selected === b[i]!.selected);

export function deckLayersOf(registry: LayerRegistry, scene: MapScene, cache: DeckLayerCache): DeckLayers {
  const slots = Object.entries(registry)
    .filter(([, entry]) => isVisible(entry, scene))
    .sort(([, a], [, b]) => a.order - b.order)
    .map(([kind, entry]) => slotOf(kind, entry, scene, cache));
  if (cache.last && sameSlots(cache.last.slots, slots)) return cache.last.layers;
  const layers: DeckLayers = {
    ids: slots.flatMap((s) => (s.layer ? [s.layer.id] : [])),
    animated: slots.some((s) => s.entry.animated),
    at: (now) => slots.map((s) => s.layer ?? s.entry.build(s.selected, now)),
  };
  cache.last = { slots, layers };
  return layers;
}
