// Area names as the screen shows them. Grid cells are named "town·community·N号网格" so that a name alone
// says where the cell is; next to its town (in a town's ranking, or after the town in a table row) the town
// part is noise and pushes the community out of a narrow column.
import type { AreaTree } from '../../server/contract/areas';

const SEPARATOR = '·';

/** The area's name without its parent's name in front; the key when the area is unknown. */
export function shortName(tree: AreaTree, key: string): string {
  const node = tree.nodes[key];
  if (!node) return key;
  const parent = node.parent ? tree.nodes[node.parent]?.name : undefined;
  const prefix = parent ? `${parent}${SEPARATOR}` : null;
  return prefix && node.name.startsWith(prefix) && node.name.length > prefix.length
    ? node.name.slice(prefix.length)
    : node.name;
}
