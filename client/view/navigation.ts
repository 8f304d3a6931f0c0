// Where a view sits in the area tree: the scope the socket follows (the district or one town: the gateway
// serves those), the level the map colours and the ranking lists, the breadcrumb, and what is selected.
import type { AreaKey, AreaLevel, AreaNode, AreaTree } from '../../server/contract/areas';
import { isSubLevel, levelOf, type SubLayer, type ViewState } from './url';

export interface Placement {
  /** District or town: what the socket follows. */
  scope: AreaKey;
  /** The level of the areas the map colours and the ranking lists. */
  level: Exclude<AreaLevel, 'district'>;
  /** District first, down to the open area. */
  trail: AreaNode[];
  /** A grid cell / property district / forest cluster opened inside its town, else null. */
  selected: AreaKey | null;
  /** The areas at `level` inside the scope, in the tree's order. */
  areas: AreaKey[];
  /** False when the URL names an area the tree does not have (the page says so, and shows the district). */
  known: boolean;
}

export function place(tree: AreaTree, view: ViewState): Placement {
  const root = tree.root as AreaKey;
  const node = tree.nodes[view.area];
  if (!node) return { ...place(tree, { ...view, area: root }), known: false };
  const trail: AreaNode[] = [];
  for (let n: AreaNode | undefined = node; n; n = n.parent ? tree.nodes[n.parent] : undefined) trail.unshift(n);
  const level = levelOf(view.area);
  if (level === 'district') {
    return {
      scope: view.area,
      level: 'town',
      trail,
      selected: null,
      areas: childrenAt(tree, view.area, 'town'),
      known: true,
    };
  }
  if (level === 'town') {
    return {
      scope: view.area,
      level: view.sub,
      trail,
      selected: null,
      areas: childrenAt(tree, view.area, view.sub),
      known: true,
    };
  }
  const town = (node.parent ?? root) as AreaKey;
  const sub: SubLayer = isSubLevel(level) ? level : view.sub;
  return { scope: town, level: sub, trail, selected: view.area, areas: childrenAt(tree, town, sub), known: true };
}

export function childrenAt(tree: AreaTree, parent: AreaKey, level: AreaLevel): AreaKey[] {
  return (tree.children[parent] ?? []).filter((k) => levelOf(k as AreaKey) === level) as AreaKey[];
}

/** The view one level up (what the back button and the breadcrumb lead to). */
export function parentView(tree: AreaTree, view: ViewState): ViewState | null {
  const parent = tree.nodes[view.area]?.parent;
  return parent ? { ...view, area: parent as AreaKey } : null;
}
