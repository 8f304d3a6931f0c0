// Which areas a socket may follow, and what a followed scope covers. Kept apart from the socket plumbing so
// that access control has exactly one place to live: allowedRooms decides at the handshake, mayFollow checks.
import { areaKey, type AreaKey, type AreaLevel, type AreaTree } from '../contract/areas';
import { can, type Principal } from '../contract/auth';
import { isAreaKey } from '../contract/live';
import type { SocketData } from '../contract/socket';

/**
 * Levels with a room. A town room carries its grid / property / forest aggregates and the objects located in
 * the town; below that, objects have no area of their own to be routed by (LiveChanges gives the town only).
 */
export const FOLLOWABLE_LEVELS: readonly AreaLevel[] = ['district', 'town'];

/** True when `key` names an area of the tree that has a room. */
export function isFollowable(tree: AreaTree, key: unknown): key is AreaKey {
  if (!isAreaKey(key)) return false;
  const node = tree.nodes[key];
  return node !== undefined && FOLLOWABLE_LEVELS.includes(node.level);
}

/**
 * The scope's key list: the scope itself, then its children in the tree's (stable, sorted) order. Snapshot.keys
 * carries it, and a wire patch names an aggregate by its position in it.
 */
export function scopeKeys(tree: AreaTree, scope: AreaKey): AreaKey[] {
  return [scope, ...((tree.children[scope] ?? []) as AreaKey[])];
}

/**
 * The one decision on who may join which room. `allowed: null` means no access control is configured (the
 * embedded product without login): everyone may follow everything.
 */
export function mayFollow(data: Pick<SocketData, 'allowed'>, scope: AreaKey): boolean {
  return data.allowed === null || data.allowed.includes(scope);
}

/**
 * The rooms a principal may follow: a district-scope principal the district and every town; a town-scope
 * principal its own town only (its grid cells, property districts and forest clusters come with the town's
 * room). Nothing for a principal that may not read (a feed), or whose scope has no room of its own (a scope
 * below a town would otherwise be widened to the whole town).
 */
export function allowedRooms(tree: AreaTree, principal: Pick<Principal, 'role' | 'scope'>): AreaKey[] {
  if (!can(principal, 'read') || !isFollowable(tree, principal.scope)) return [];
  if (principal.scope === tree.root) return [principal.scope, ...((tree.children[principal.scope] ?? []) as AreaKey[])];
  return [principal.scope];
}

/**
 * The town key of a town reference from the live state, which may be an id ("110112004") or a key
 * ("town:110112004"); undefined when there is none or the tree does not know it (the object then reaches the
 * district room only).
 */
export function townKeyOf(tree: AreaTree, town: string | undefined): AreaKey | undefined {
  if (town === undefined) return undefined;
  const key = town.startsWith('town:') ? (town as AreaKey) : areaKey('town', town);
  return tree.nodes[key]?.level === 'town' ? key : undefined;
}
