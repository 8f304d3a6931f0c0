// Who is asking: roles, scopes and the session shapes shared by the server and the client.
// The server decides every access from a Principal; the client only uses it to pick the screen it shows
// (login, officer desk, leader landing, wall). No Node imports here.
import Type, { type Static } from 'typebox';
import type { AreaKey, AreaTree } from './areas';
import { AreaKeySchema } from './live';
import { checker } from './validate';

/**
 * - admin: everything, users and device tokens included.
 * - officer (值班员): duty officer; scope the district or one town; acts on alerts and tickets.
 * - leader (镇/街道领导): scope their town's subtree; reads, drills down, comments on alerts.
 * - wall (大屏): a display device with a configured scope; read-only.
 * - feed: a machine source (sensor gateway, hotline system, simulator CLI) that may only post events.
 */
export const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('officer'),
  Type.Literal('leader'),
  Type.Literal('wall'),
  Type.Literal('feed'),
]);
export type Role = Static<typeof Role>;
export const ROLES: readonly Role[] = Role.anyOf.map((b) => b.const);

/** People log in with a password; devices (walls, feeds) hold a long-lived token an admin can revoke. */
export const PrincipalKind = Type.Union([Type.Literal('user'), Type.Literal('device')]);
export type PrincipalKind = Static<typeof PrincipalKind>;

export const Principal = Type.Object(
  {
    kind: PrincipalKind,
    /** User name, or the device token's id. */
    id: Type.String({ minLength: 1, maxLength: 64 }),
    /** Shown in the header and written into the audit trail (who acknowledged an alert). */
    name: Type.String({ minLength: 1, maxLength: 120 }),
    role: Role,
    /** The subtree this principal may see: the district key, or a town key. */
    scope: AreaKeySchema,
  },
  { additionalProperties: false },
);
export type Principal = Static<typeof Principal>;

/** Who did something, as written into the log (alert actions, audit). */
export const Actor = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    role: Role,
  },
  { additionalProperties: false },
);
export type Actor = Static<typeof Actor>;
export const actorOf = (p: Principal): Actor => ({ id: p.id, name: p.name, role: p.role });

export const LoginRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;
export const checkLoginRequest = checker(LoginRequest);

/**
 * GET /api/v1/auth/session: who the cookie belongs to, and the CSRF token the client must send back in the
 * `x-csrf-token` header with every cookie-authenticated write.
 */
export const SessionInfo = Type.Object({
  principal: Principal,
  csrfToken: Type.String(),
  /** Epoch ms when the session ends (devices: far in the future). */
  expiresAt: Type.Integer(),
});
export type SessionInfo = Static<typeof SessionInfo>;

/** The header the client echoes the CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** The session cookie (httpOnly, signed JWT inside). */
export const SESSION_COOKIE = 'opsmap_session';

// ---- what a role may do (the one table; the server enforces it, the client hides what it may not do) ----

export type Ability =
  | 'read' // live state, tickets, trends, alerts of the scope
  | 'ingest' // post events (REST batch, Open311, OsmAnd)
  | 'alert.act' // acknowledge, whistle (吹哨), resolve
  | 'alert.comment' // add a note to an alert
  | 'ticket.supervise' // 督办: put an overdue or nearly overdue ticket under supervision
  | 'admin'; // users and device tokens

const ABILITIES: Record<Role, readonly Ability[]> = {
  admin: ['read', 'ingest', 'alert.act', 'alert.comment', 'ticket.supervise', 'admin'],
  officer: ['read', 'alert.act', 'alert.comment', 'ticket.supervise'],
  leader: ['read', 'alert.comment'],
  wall: ['read'],
  feed: ['ingest'],
};

export const can = (p: Pick<Principal, 'role'>, ability: Ability): boolean => ABILITIES[p.role].includes(ability);

// ---- scope ----

/**
 * True when `key` lies in the subtree of `scope` (or is `scope`). A town leader's scope is its town: the town
 * itself and its grid cells, property districts and forest clusters, never the district or another town.
 */
export function inScope(tree: Pick<AreaTree, 'nodes'>, scope: AreaKey, key: string): boolean {
  let at: string | null | undefined = key;
  // The tree is shallow (district → town → grid): a few steps at most.
  for (let guard = 0; at && guard < 8; guard += 1) {
    if (at === scope) return true;
    at = tree.nodes[at]?.parent;
  }
  return false;
}

/** The town key of an area (itself when it is a town); undefined for the district or an unknown key. */
export function townOfArea(tree: Pick<AreaTree, 'nodes'>, key: string): AreaKey | undefined {
  let at: string | null | undefined = key;
  for (let guard = 0; at && guard < 8; guard += 1) {
    const node: AreaTree['nodes'][string] | undefined = tree.nodes[at];
    if (!node) return undefined;
    if (node.level === 'town') return node.key as AreaKey;
    at = node.parent;
  }
  return undefined;
}
