// The geography the page shows, fetched once from the same origin and shared by the map and the panels:
// the area tree (names, parents, bounding boxes) and the area layers (GeoJSON, canonical WGS84).
import { useEffect, useState } from 'react';
import type { AreaGeometry, AreaTree, LayerCollection, LayerName, LayerPropsMap } from '../../server/contract/areas';

const cache = new Map<string, Promise<unknown>>();

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, window.location.origin));
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

function once<T>(path: string): Promise<T> {
  let p = cache.get(path) as Promise<T> | undefined;
  if (!p) {
    p = getJson<T>(path);
    // A failed fetch is not cached: the next render tries again (a server restart, a dropped connection).
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}

export type LayerData<L extends LayerName> = LayerCollection<
  LayerPropsMap[L],
  L extends 'villages' | 'patrolPoints' | 'checkpoints' | 'landmarks'
    ? { type: 'Point'; coordinates: number[] }
    : L extends 'rivers'
      ? { type: 'LineString' | 'MultiLineString'; coordinates: never }
      : AreaGeometry
>;

const TREE_PATH = '/api/v1/areas/tree';
const layerPath = (layer: LayerName): string => `/api/v1/areas/${layer}`;

export const loadTree = (): Promise<AreaTree> => once<AreaTree>(TREE_PATH);
export const loadLayer = <L extends LayerName>(layer: L): Promise<LayerData<L>> => once<LayerData<L>>(layerPath(layer));

/** A path's shared fetch as state: null until it arrives (or forever on error, with the error); no path, no fetch. */
function useJson<T>(path: string | null): { data: T | null; error: string | null } {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  useEffect(() => {
    if (!path) return;
    let alive = true;
    once<T>(path).then(
      (data) => alive && setState({ data, error: null }),
      (e: unknown) => alive && setState({ data: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      alive = false;
    };
  }, [path]);
  return state;
}

export const useTree = () => useJson<AreaTree>(TREE_PATH);

/** One area layer; pass null to not load it (yet). */
export function useLayer<L extends LayerName>(layer: L | null): LayerData<L> | null {
  return useJson<LayerData<L>>(layer ? layerPath(layer) : null).data;
}
