// Who a request is: a person's session cookie, a wall's device cookie, or a device token (Bearer). One place
// decides it for HTTP (fromRequest) and for Socket.IO (fromHandshake), so both answer alike.
//
// Sessions are a signed JWT (HS256) in an httpOnly cookie: sub, kind, role, scope, name, jti, iat, exp. The
// principal comes from the user or device record, not from the token's claims, read through this node's
// principal cache (principal-cache.ts: a few seconds, one read per principal in a reconnect storm). A disabled
// user or a revoked device is still refused at once: the store this authenticator hands out (`users`) forgets
// the cached copy on every write, and `forget` does it for a change made on another node. Logging in reads
// the store itself: a password just changed is the one that counts.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { createSigner, createVerifier } from 'fast-jwt';
import fastifyCookie from '@fastify/cookie';
import { SESSION_COOKIE, type Principal, type PrincipalKind } from '../contract/auth';
import { decoyHash, verifyPassword } from './password';
import { deviceIdOf, deviceTokenMatches } from './device-token';
import { createPrincipalCache, type PrincipalCache } from './principal-cache';
import type { DeviceRecord, UserRecord, UserStore } from './types';

/** A wall is set up once and then runs for months; browsers cap a cookie's lifetime at 400 days. */
export const DEVICE_SESSION_TTL_MS = 400 * 24 * 3600 * 1000;

export interface Session {
  /** The cookie's value (the signed JWT). */
  cookieValue: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface LoginResult extends Session {
  principal: Principal;
}

/** How the request proved who it is. */
export type Credentials =
  | { via: 'session'; principal: Principal; csrfToken: string; expiresAt: number }
  | { via: 'token'; principal: Principal };

export interface Authenticator {
  /** The user store; its writes (put, revoke) drop this node's cached copy of the principal they change. */
  readonly users: UserStore;
  /** Drops this node's cached copy of a user or device that changed elsewhere (another node, the CLI). */
  forget(kind: PrincipalKind, id: string): void;
  /** The session cookie, or `Authorization: Bearer <device token>`; null when neither is valid. */
  fromRequest(request: FastifyRequest): Promise<Principal | null>;
  /** Like fromRequest, and says how: a cookie session must also pass the CSRF check on writes. */
  credentials(headers: IncomingHttpHeaders): Promise<Credentials | null>;
  /** Socket.IO: the handshake's cookie header, or `auth.token` = a device token. */
  fromHandshake(headers: IncomingHttpHeaders, auth: Record<string, unknown>): Promise<Principal | null>;
  /** Null for an unknown user, a wrong password and a disabled user alike (no user enumeration). */
  login(username: string, password: string): Promise<LoginResult | null>;
  /** A wall's one-time set-up: a valid device token becomes a long-lived device cookie. */
  loginDevice(token: string): Promise<LoginResult | null>;
  /** A session cookie for the principal, without a password (tests; login and loginDevice use it). */
  issueSession(principal: Principal): Session;
  /** The CSRF token bound to a session cookie value; null for an invalid one. */
  csrfTokenOf(cookieValue: string): string | null;
}

export interface AuthenticatorOptions {
  users: UserStore;
  /** HMAC key of the session JWTs and the CSRF tokens (at least 32 bytes of entropy). */
  secret: string;
  /** Lifetime of a person's session. */
  sessionTtlMs: number;
  /** How long a user or device record read for a request or handshake is used again (ms); 0 or absent: never. */
  principalCacheMs?: number;
  now?: () => number;
}

interface SessionClaims {
  sub: string;
  kind: PrincipalKind;
  role: Principal['role'];
  scope: Principal['scope'];
  name: string;
  jti: string;
  iat: number;
  exp: number;
}

const isClaims = (v: unknown): v is SessionClaims => {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.sub === 'string' &&
    (c.kind === 'user' || c.kind === 'device') &&
    typeof c.jti === 'string' &&
    typeof c.exp === 'number'
  );
};

export const userPrincipal = (u: UserRecord): Principal => ({
  kind: 'user',
  id: u.username,
  name: u.name,
  role: u.role,
  scope: u.scope,
});
export const devicePrincipal = (d: DeviceRecord): Principal => ({
  kind: 'device',
  id: d.id,
  name: d.name,
  role: d.role,
  scope: d.scope,
});

function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1];
}

function sessionCookieOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (typeof header !== 'string' || header === '') return undefined;
  return fastifyCookie.parse(header)[SESSION_COOKIE] || undefined;
}

/** The store with every write followed by forgetting the cached copy of what it changed. */
function forgettingStore(users: UserStore, principals: PrincipalCache): UserStore {
  return {
    getUser: (username) => users.getUser(username),
    getUsers: (usernames) => users.getUsers(usernames),
    listUsers: () => users.listUsers(),
    putUser: async (user) => {
      await users.putUser(user);
      principals.forget('user', user.username);
    },
    countUsers: () => users.countUsers(),
    getDevice: (id) => users.getDevice(id),
    getDevices: (ids) => users.getDevices(ids),
    listDevices: () => users.listDevices(),
    putDevice: async (device) => {
      await users.putDevice(device);
      principals.forget('device', device.id);
    },
    revokeDevice: async (id, at) => {
      const found = await users.revokeDevice(id, at);
      principals.forget('device', id);
      return found;
    },
    close: () => users.close(),
  };
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { secret, sessionTtlMs } = options;
  const now = options.now ?? Date.now;
  const principals = createPrincipalCache(options.users, { ttlMs: options.principalCacheMs ?? 0 });
  const users = forgettingStore(options.users, principals);
  if (Buffer.byteLength(secret) < 32) throw new Error('auth: the secret must be at least 32 bytes long');
  // Timestamps are ours (iat, exp in the payload) and expiry is checked against `now`, so a pinned clock works.
  const sign = createSigner({ key: secret, algorithm: 'HS256', noTimestamp: true });
  const verify = createVerifier({
    key: secret,
    algorithms: ['HS256'],
    ignoreExpiration: true,
    ignoreNotBefore: true,
    cache: false,
  });

  const csrfOf = (jti: string): string => createHmac('sha256', secret).update(`csrf\u0000${jti}`).digest('base64url');

  function claimsOf(cookieValue: string): SessionClaims | null {
    let payload: unknown;
    try {
      payload = verify(cookieValue);
    } catch {
      return null;
    }
    if (!isClaims(payload) || payload.exp * 1000 <= now()) return null;
    return payload;
  }

  /** `fresh`: from the store itself (a wall's set-up), else through the cache (every request and handshake). */
  async function deviceOfToken(token: string, fresh = false): Promise<DeviceRecord | null> {
    const id = deviceIdOf(token);
    if (!id) return null;
    const device = await (fresh ? users.getDevice(id) : principals.device(id));
    if (!device || device.revokedAt !== undefined || !deviceTokenMatches(token, device.tokenHash)) return null;
    return device;
  }

  async function principalOfClaims(claims: SessionClaims): Promise<Principal | null> {
    if (claims.kind === 'device') {
      const device = await principals.device(claims.sub);
      return device && device.revokedAt === undefined ? devicePrincipal(device) : null;
    }
    const user = await principals.user(claims.sub);
    return user && !user.disabled ? userPrincipal(user) : null;
  }

  function issue(principal: Principal, ttlMs: number): Session {
    const iat = Math.floor(now() / 1000);
    const exp = iat + Math.floor(ttlMs / 1000);
    const claims: SessionClaims = {
      sub: principal.id,
      kind: principal.kind,
      role: principal.role,
      scope: principal.scope,
      name: principal.name,
      jti: randomUUID(),
      iat,
      exp,
    };
    return { cookieValue: sign(claims), expiresAt: exp * 1000 };
  }

  const issueSession = (principal: Principal): Session =>
    issue(principal, principal.kind === 'device' ? DEVICE_SESSION_TTL_MS : sessionTtlMs);

  async function credentials(headers: IncomingHttpHeaders): Promise<Credentials | null> {
    // An explicit token wins over a cookie: a browser never adds one on its own, so it needs no CSRF check.
    const bearer = bearerOf(headers);
    if (bearer !== undefined) {
      const device = await deviceOfToken(bearer);
      return device ? { via: 'token', principal: devicePrincipal(device) } : null;
    }
    const cookie = sessionCookieOf(headers);
    if (cookie === undefined) return null;
    const claims = claimsOf(cookie);
    if (!claims) return null;
    const principal = await principalOfClaims(claims);
    return principal
      ? { via: 'session', principal, csrfToken: csrfOf(claims.jti), expiresAt: claims.exp * 1000 }
      : null;
  }

  return {
    users,
    forget: (kind, id) => principals.forget(kind, id),
    credentials,
    issueSession,
    async fromRequest(request) {
      return (await credentials(request.headers))?.principal ?? null;
    },
    async fromHandshake(headers, auth) {
      const token = auth.token;
      if (typeof token === 'string' && token !== '') {
        const device = await deviceOfToken(token);
        return device ? devicePrincipal(device) : null;
      }
      return (await credentials(headers))?.principal ?? null;
    },
    async login(username, password) {
      const user = await users.getUser(username);
      // Spend the same time on an unknown user as on a wrong password.
      const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
      if (!user || !ok || user.disabled) return null;
      const principal = userPrincipal(user);
      return { principal, ...issueSession(principal) };
    },
    async loginDevice(token) {
      const device = await deviceOfToken(token, true);
      if (!device) return null;
      const principal = devicePrincipal(device);
      return { principal, ...issueSession(principal) };
    },
    csrfTokenOf(cookieValue) {
      const claims = claimsOf(cookieValue);
      return claims ? csrfOf(claims.jti) : null;
    },
  };
}

/** Constant-time string comparison for the CSRF header. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
