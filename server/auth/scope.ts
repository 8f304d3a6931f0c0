// Which area a user or device may be given: the district, or one town (街道/乡镇) of the tree. Typed by key
// (`town:110112105`) or, on the command line, by the town's name (张家湾镇).
import type { AreaKey, AreaTree } from '../contract/areas';
import type { Role } from '../contract/auth';

export type ScopeResult = { ok: true; scope: AreaKey } | { ok: false; message: string };

export function resolveScope(tree: Pick<AreaTree, 'root' | 'nodes'>, input: string, role: Role): ScopeResult {
  const wanted = input.trim();
  const node =
    tree.nodes[wanted] ??
    Object.values(tree.nodes).find(
      (n) => (n.level === 'town' || n.level === 'district') && (n.name === wanted || n.id === wanted),
    );
  if (!node || (node.key !== tree.root && node.level !== 'town')) {
    return {
      ok: false,
      message: `scope ${JSON.stringify(input)} is neither the district (${tree.root}) nor a town of it (town:<id> or its name)`,
    };
  }
  // A leader leads one town; the district is the officers' and the admins'.
  if (role === 'leader' && node.level !== 'town') {
    return { ok: false, message: `a leader's scope must be a town, not ${node.key}` };
  }
  return { ok: true, scope: node.key as AreaKey };
}
