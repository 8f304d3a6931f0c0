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
}
