// The map's deck.gl layers for the current scene, from the layer registry (see deck-layers.ts). The same
// object comes back while nothing on the map changed, so an effect that draws it runs once per change.
import { useRef } from 'react';
import { deckLayerCache, deckLayersOf, type DeckLayers } from './deck-layers';
import { LAYER_REGISTRY, type LayerRegistry } from './layers/registry';
import type { MapScene } from './layers/scene';

export function useDeckLayers(scene: MapScene, registry: LayerRegistry = LAYER_REGISTRY): DeckLayers {
  const cache = useRef(deckLayerCache());
  return deckLayersOf(registry, scene, cache.current);
}
