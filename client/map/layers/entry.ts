// A layer kind as the registry holds it (see registry.ts): its ids and draw order, when it is shown, what it
// selects from the map's scene and how that becomes its factory's props, and what a click on it picks.
import type { Layer } from '@deck.gl/core';
import type { Overlay } from '../../view/url';
import type { Pick } from './picks';
import type { MapScene } from './scene';

/** What an entry reads from the scene: its layer is rebuilt only when one of these values changes (by identity). */
export type Selection = Readonly<Record<string, unknown>>;

export interface LayerSpec<S extends Selection, P> {
  /** The deck.gl layer ids it draws (a choropleth's carries its level). */
  ids: readonly string[];
  /** Draw order, bottom to top. */
  order: number;
  /** The overlay toggle that shows it; null: always on (areas, labels). */
  overlay: Overlay | null;
  /** Beyond its toggle: the zoom band or mode it shows in; absent: whenever its toggle is on. */
  visible?: (scene: MapScene) => boolean;
  select: (scene: MapScene) => S;
  /** The selection as the factory's props. */
  props: (selected: S) => P;
  factory: (props: P) => Layer;
  /** An animated layer's props at a moment: it is built again for every frame (uniforms only, no attribute). */
  frame?: (props: P, now: number) => P;
  /** While true, the layer last built stays on the map instead of one built from the scene. */
  hold?: (scene: MapScene) => boolean;
  /** Maps a picked datum to what a click opens; absent: not pickable. */
  pick?: Pick;
}

/** A registered kind, its selection and props types closed over: what the hook and picking read. */
export interface LayerEntry<P = never> {
  ids: readonly string[];
  order: number;
  overlay: Overlay | null;
  visible?: (scene: MapScene) => boolean;
  select: (scene: MapScene) => Selection;
  factory: (props: P) => Layer;
  /** The layer for a selection this entry's `select` made (at `now`, for an animated entry). */
  build: (selected: Selection, now: number) => Layer;
  animated: boolean;
  hold?: (scene: MapScene) => boolean;
  pick?: Pick;
}

export type LayerRegistry = Readonly<Record<string, LayerEntry>>;

export function entry<S extends Selection, P>(spec: LayerSpec<S, P>): LayerEntry<P> {
  const { props, frame, factory, ...rest } = spec;
  return {
    ...rest,
    factory,
    animated: frame !== undefined,
    // The selection came from this entry's own `select`.
    build: (selected, now) => {
      const p = props(selected as S);
      return factory(frame ? frame(p, now) : p);
    },
  };
}

/** True when an entry is drawn in this scene: its toggle is on and its own rule (zoom band, mode) holds. */
export const isVisible = (e: LayerEntry, scene: MapScene): boolean =>
  (e.overlay === null || scene.overlays.includes(e.overlay)) && (e.visible?.(scene) ?? true);
