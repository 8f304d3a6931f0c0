// The area layers as they are sent to a browser. The files carry 6 decimals (0.1 m); the map shows at most
// zoom 17, where a screen pixel is about 0.9 m here, so the sixth decimal only costs bytes on the wire.
// Rounding each coordinate on its own keeps shared borders shared: two cells that meet at a vertex still meet
// at the same rounded vertex, so no gap or overlap opens between neighbours. The server keeps the exact
// geometry for locating events; only the copy that is sent is rounded.
import type { LayerCollection } from '../contract/areas';

/** Decimals of a served coordinate: 1e-5° is 1.1 m north–south and 0.85 m east–west at 40° N. */
export const SERVED_DECIMALS = 5;

/** The largest distance a served vertex lies from the original one, in degrees (half the last decimal). */
export const SERVED_TOLERANCE_DEG = 0.5 * 10 ** -SERVED_DECIMALS;

type Nested = number | Nested[];

function roundNested(value: Nested, scale: number): Nested {
  // Dividing an integer by a power of ten gives the double nearest the decimal, which JSON prints in its
  // shortest form (116.65242, not 116.65242000000001).
  return typeof value === 'number' ? Math.round(value * scale) / scale : value.map((v) => roundNested(v, scale));
}

/** A copy of the layer with every coordinate rounded to `decimals`; properties are shared, not copied. */
export function servedLayer<P, G extends { coordinates: unknown } | null>(
  layer: LayerCollection<P, G>,
  decimals: number = SERVED_DECIMALS,
): LayerCollection<P, G> {
  const scale = 10 ** decimals;
  return {
    ...layer,
    features: layer.features.map((f) =>
      f.geometry
        ? { ...f, geometry: { ...f.geometry, coordinates: roundNested(f.geometry.coordinates as Nested, scale) } }
        : f,
    ),
  };
}
