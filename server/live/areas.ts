// The area tree as integer indices, and "chains": the areas an object counts in, one per level. Aggregates
// are counters in typed arrays indexed by area, so folding an event is a handful of additions along its chain
// (at most five areas) instead of a recomputation, and no per-event strings or objects are built.
import { areaKey, type AreaKey, type AreaLevel } from '../contract/areas';
import type { Place } from '../contract/events';
import type { Geo } from '../geo/load';

/** Positions in a chain: one area per level, -1 where the object lies in no area of that level. */
export const SLOT_DISTRICT = 0;
export const SLOT_TOWN = 1;
export const SLOT_GRID = 2;
export const SLOT_PROPERTY = 3;
export const SLOT_FOREST = 4;
export const CHAIN_LENGTH = 5;
export const LEVEL_SLOT: Record<AreaLevel, number> = {
  district: SLOT_DISTRICT,
  town: SLOT_TOWN,
  grid: SLOT_GRID,
  property: SLOT_PROPERTY,
  forest: SLOT_FOREST,
};

export class AreaIndex {
  readonly keys: AreaKey[] = [];
  readonly levels: AreaLevel[] = [];
  readonly ids: string[] = [];
  /** Parent area index, -1 at the root. */
  readonly parent: Int32Array;
  readonly children: number[][] = [];
  readonly byKey = new Map<string, number>();
  readonly district: number;
  private readonly byLevel: Record<AreaLevel, Map<string, number>> = {
    district: new Map(),
    town: new Map(),
    grid: new Map(),
    property: new Map(),
    forest: new Map(),
  };
  /** Interned chains; index 0 is the district alone (objects placed nowhere inside it). */
  readonly chains: Int32Array[] = [];
  private readonly chainByKey = new Map<string, number>();

  constructor(geo: Geo) {
    const tree = geo.tree;
    const order: string[] = [tree.root];
    // Breadth-first, so parents get lower indices than children and children keep the tree's order.
    for (let i = 0; i < order.length; i++) order.push(...(tree.children[order[i]!] ?? []));
    for (const key of order) {
      const node = tree.nodes[key]!;
      const idx = this.keys.length;
      this.keys.push(areaKey(node.level, node.id));
      this.levels.push(node.level);
      this.ids.push(node.id);
      this.children.push([]);
      this.byKey.set(key, idx);
      this.byLevel[node.level].set(node.id, idx);
    }
    this.parent = new Int32Array(this.keys.length).fill(-1);
    for (const key of order) {
      const node = tree.nodes[key]!;
      if (node.parent === null) continue;
      const idx = this.byKey.get(key)!;
      const p = this.byKey.get(node.parent)!;
      this.parent[idx] = p;
      this.children[p]!.push(idx);
    }
    this.district = this.byKey.get(tree.root)!;
    this.intern('', this.build(-1, -1, -1, -1));
  }

  get size(): number {
    return this.keys.length;
  }

  index(level: AreaLevel, id: string | undefined): number {
    return id === undefined ? -1 : (this.byLevel[level].get(id) ?? -1);
  }

  /** True when `a` is `ancestor` or lies below it. */
  within(a: number, ancestor: number): boolean {
    for (let x = a; x >= 0; x = this.parent[x]!) if (x === ancestor) return true;
    return false;
  }

  /** The chain of a located event; ids the geography does not know are left out rather than trusted. */
  chainOfPlace(place: Place | undefined): number {
    if (place === undefined) return 0;
    const key = `${place.townId ?? ''}|${place.gridId ?? ''}|${place.propertyId ?? ''}|${place.forestId ?? ''}`;
    const known = this.chainByKey.get(key);
    if (known !== undefined) return known;
    return this.intern(
      key,
      this.build(
        this.index('town', place.townId),
        this.index('grid', place.gridId),
        this.index('property', place.propertyId),
        this.index('forest', place.forestId),
      ),
    );
  }

  /** The chain of one area: the area and its ancestors (a forest cluster's patrols count in its town). */
  chainOfArea(idx: number): number {
    const key = `#${idx}`;
    const known = this.chainByKey.get(key);
    if (known !== undefined) return known;
    const slots = [-1, -1, -1, -1, -1];
    for (let x = idx; x >= 0; x = this.parent[x]!) slots[LEVEL_SLOT[this.levels[x]!]] = x;
    return this.intern(
      key,
      this.build(slots[SLOT_TOWN]!, slots[SLOT_GRID]!, slots[SLOT_PROPERTY]!, slots[SLOT_FOREST]!),
    );
  }

  /** The chains interned so far, for a keyframe: folded records hold chain numbers, which mean these. */
  snapshotChains(): { keys: string[]; chains: Int32Array[] } {
    return { keys: [...this.chainByKey.keys()], chains: this.chains };
  }

  /** Takes over snapshotChains() (a superset of what the constructor interned, in the same order). */
  restoreChains(s: { keys: string[]; chains: Int32Array[] }): void {
    this.chains.length = 0;
    this.chainByKey.clear();
    for (let i = 0; i < s.keys.length; i++) this.intern(s.keys[i]!, s.chains[i]!);
  }

  /** Town id of a chain, undefined when it lies in no town. */
  townOf(chain: number): string | undefined {
    const t = this.chains[chain]![SLOT_TOWN]!;
    return t < 0 ? undefined : this.ids[t];
  }

  /** True when the chain counts in area `idx`. */
  chainIn(chain: number, idx: number): boolean {
    return this.chains[chain]![LEVEL_SLOT[this.levels[idx]!]] === idx;
  }

  private build(town: number, grid: number, property: number, forest: number): Int32Array {
    // A cell or cluster without a town in the place still belongs to its parent town.
    if (town < 0) {
      for (const x of [grid, property, forest]) if (x >= 0) town = this.parent[x]!;
    }
    return Int32Array.from([this.district, town, grid, property, forest]);
  }

  private intern(key: string, chain: Int32Array): number {
    const idx = this.chains.length;
    this.chains.push(chain);
    this.chainByKey.set(key, idx);
    return idx;
  }
}
