// Handing the map's layers to deck.gl. deck.gl finalizes a layer that a new list leaves out, and a finalized
// instance cannot be initialized again: handed back, it fails with "deck.gl: assertion failed" and is not
// drawn. The map memoizes its layers, so one can come back as the very same instance: an overlay turned off
// and on before its data changed (the patrol coverage before its first answer, the flood checkpoints), the
// ticket heatmap across the zoom threshold. Such a returning layer goes over as a clone with the same props,
// which deck.gl initializes afresh; a layer that stays on the map keeps its instance and its GPU buffers.
import type { Layer } from '@deck.gl/core';

export type LayerHandover = (layers: readonly Layer[]) => Layer[];

/** One per deck.gl instance: every layer list goes through it on its way to `setProps({ layers })`. */
export function layerHandover(): LayerHandover {
  /** Each layer of the last list → the instance deck.gl was given for it (itself, or its clone). */
  let given = new Map<Layer, Layer>();
  /** Instances a list left out: deck.gl has finalized them, or will when it renders that list. */
  const dropped = new WeakSet<Layer>();
  return (layers) => {
    const next = new Map<Layer, Layer>();
    for (const layer of layers) {
      next.set(layer, given.get(layer) ?? (dropped.has(layer) ? (layer.clone({}) as Layer) : layer));
    }
    for (const layer of given.keys()) if (!next.has(layer)) dropped.add(layer);
    given = next;
    return layers.map((layer) => next.get(layer)!);
  };
}
