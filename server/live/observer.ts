// What a fold kept beside the live state may hear from it. The trends (live/area-trends.ts) count over days
// and weeks what the live state counts over today and 24 h; hearing the live state's own facts, rather than
// reading the events again, is what keeps one definition of every rate and of "visited".
//
// Area indices are those of an AreaIndex over the same geography (its order is fixed by the area tree);
// `areas` arrays are the live state's chains (one area per level, -1 for none) and must not be kept or changed.

export interface LiveObserver {
  /** At construction: a checkpoint of the layer and the areas it counts in. */
  checkpoint?(id: string, areas: Int32Array): void;
  /** At construction: a forest cluster (its area index) and how many patrol sub-cells it is cut into. */
  cluster?(area: number, subcells: number): void;
  /**
   * A ticket fact entering the windows, dated `t`, in the areas of `areas`; sign -1 takes back an earlier
   * fact (a missed response answered in time after all). Decode with countWindowFact (state/layout.ts).
   */
  fact?(t: number, code: number, areas: Int32Array, sign: number): void;
  /** A ranger position fell in sub-cell `sub` of cluster `area` on local day `day` (any day, not only today). */
  visit?(day: number, area: number, sub: number): void;
  /**
   * 督办 of an open ticket in the areas of `areas` became its latest, dated `toMs`; `fromMs` is the latest it
   * replaces, -1 for the ticket's first. A supervision dated before the latest is not told.
   */
  supervised?(areas: Int32Array, fromMs: number, toMs: number): void;
  /** An open ticket that had been supervised closed. */
  supervisedClosed?(areas: Int32Array): void;
}

/**
 * Several listeners as one. A hook only one of them has is that one's own function, so the fold's hottest hook
 * (fact) costs no extra call when only the trends listen to it. Hooks are called without `this`: listeners are
 * closures (area-trends.ts, supervision.ts).
 */
export function mergeObservers(...list: LiveObserver[]): LiveObserver {
  const out: Record<string, unknown> = {};
  const keys = new Set(list.flatMap((o) => Object.keys(o) as (keyof LiveObserver)[]));
  for (const key of keys) {
    const hooks = list.map((o) => o[key] as ((...args: unknown[]) => void) | undefined).filter((h) => h !== undefined);
    out[key] = hooks.length === 1 ? hooks[0] : (...args: unknown[]) => hooks.forEach((h) => h(...args));
  }
  return out as LiveObserver;
}
