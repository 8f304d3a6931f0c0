// Hands the registry's layer list to the overlay: once per change of the list or of the store versions it
// stands for, and every PULSE_FRAME_MS while a layer is animated.
import { useEffect, type RefObject } from 'react';
import type { DeckLayers } from './deck-layers';
import type { MapDeck } from './useMapLifecycle';

/** The overdue rings advance at this rate: smooth enough to read as a pulse, cheap (uniforms only). */
const PULSE_FRAME_MS = 100;

/**
 * `pendingVersion`: the store versions these layers show (`.map-canvas[data-pending-version]`); once deck.gl
 * has drawn them, `data-deck-version` says the same.
 */
export function useOverlayDraw(
  deck: MapDeck | null,
  layers: DeckLayers,
  pendingVersion: string,
  containerRef: RefObject<HTMLDivElement | null>,
): void {
  useEffect(() => {
    const container = containerRef.current;
    if (!deck || !container) return;
    container.dataset.pendingVersion = pendingVersion;
    deck.repickAfterDraw();
    const draw = () => {
      const drawn = deck.handover(layers.at(performance.now()));
      deck.overlay.setProps({ layers: drawn });
      deck.drawn.current = drawn;
    };
    draw();
    container.dataset.layers = layers.ids.join(',');
    if (!layers.animated) return;
    // Only the animated layer changes per frame, and only in its uniforms (radiusScale, opacity).
    const timer = setInterval(draw, PULSE_FRAME_MS);
    return () => clearInterval(timer);
  }, [deck, layers, pendingVersion, containerRef]);
}
