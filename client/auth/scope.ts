// Which screen a session gets, and whether the area a URL asks for lies in the principal's scope. Pure, so the
// decision is tested without a browser. The server enforces scope everywhere; the client checks first so that
// it never even asks for another town's data, and shows "not in your area" instead.
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { can, inScope, type Principal } from '../../server/contract/auth';

export type Screen = 'wall' | 'landing' | 'dashboard' | 'brief' | 'admin-notify';

/**
 * /wall (and a wall device anywhere) → the wall; /brief → the brief; /admin/notify → an admin's channel page;
 * a leader opens on the landing, unless the URL names an area (a drill-down link shared with them); everyone
 * else → the dashboard.
 */
export function screenFor(pathname: string, search: string, principal: Pick<Principal, 'role'>): Screen {
  if (pathname === '/wall' || pathname.startsWith('/wall/') || principal.role === 'wall') return 'wall';
  // The printable daily brief: a page of its own for every reader (the server scopes what it holds).
  if (pathname === '/brief') return 'brief';
  // The notification channels' page: admins only; anyone else at that address gets their usual screen.
  if (pathname === '/admin/notify' && can(principal, 'admin')) return 'admin-notify';
  if (principal.role === 'leader' && !new URLSearchParams(search).has('area')) return 'landing';
  return 'dashboard';
}

/**
 * The area to show "not in your area" for, or null when the view may open: the URL's area when it lies outside
 * the scope (unknown areas are the dashboard's "unknown area" notice, not a refusal), else the area the server
 * refused (socket 'forbidden', REST 403 not_in_scope) while the view still shows it.
 */
export function refusedArea(
  tree: Pick<AreaTree, 'nodes'>,
  scope: AreaKey,
  area: AreaKey,
  serverRefused: AreaKey | null,
): AreaKey | null {
  if (tree.nodes[area] && !inScope(tree, scope, area)) return area;
  if (serverRefused && (serverRefused === area || inScope(tree, serverRefused, area))) return serverRefused;
  return null;
}

/** The ?device= token of a wall URL, and the URL without it (the token must not stay in the address bar or history). */
export function takeDeviceToken(href: string): { token: string | null; cleaned: string } {
  const url = new URL(href);
  const token = url.searchParams.get('device');
  url.searchParams.delete('device');
  return { token: token && token.length > 0 ? token : null, cleaned: `${url.pathname}${url.search}${url.hash}` };
}
