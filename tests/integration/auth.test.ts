// Sessions, device tokens, CSRF, secure headers, CORS, the login rate limit and what the log never holds,
// against the real app (in-memory stores).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { CSRF_HEADER, SESSION_COOKIE, type SessionInfo } from '../../server/contract/auth';
import { testApp } from '../helpers/app';
import { bearerHeaders, principals, sessionHeaders, ZHANGJIAWAN } from '../helpers/auth';

const apps: App[] = [];
async function app(env: Record<string, string> = {}, deps: Parameters<typeof testApp>[1] = {}): Promise<App> {
  const a = await testApp(env, deps);
  apps.push(a);
  return a;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const login = (a: App, username: string, password: string, headers: Record<string, string> = {}) =>
  a.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers });

/** The `name=value` part of the session cookie a response sets. */
function sessionCookie(setCookie: string | string[] | undefined): string {
  const line = [setCookie ?? []].flat().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!line) throw new Error('no session cookie set');
  return line.split(';', 1)[0]!;
}

async function createOfficer(a: App, password = 'correct horse battery') {
  const res = await a.inject({
    method: 'POST',
    url: '/api/v1/admin/users',
    headers: await sessionHeaders(a, principals.admin),
    payload: { username: 'zjw-duty', name: '张家湾值班员', role: 'officer', scope: '张家湾镇', password },
  });
  expect(res.statusCode).toBe(201);
  return password;
}

describe('login', () => {
  it('the demo admin logs in with the documented default; the cookie is httpOnly, SameSite=Strict, Path=/, ends with the session', async () => {
    const t0 = Date.parse('2025-07-01T08:00:00Z');
    const a = await app({ SESSION_TTL_H: '12' }, { now: () => t0 });
    const res = await login(a, 'admin', 'opsmap-admin');
    expect(res.statusCode).toBe(200);
    const body = res.json<SessionInfo>();
    expect(body.principal).toMatchObject({ kind: 'user', id: 'admin', role: 'admin', scope: 'district:110112' });
    expect(body.expiresAt).toBe(t0 + 12 * 3600_000);
    expect(body.csrfToken.length).toBeGreaterThan(20);

    const line = [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${SESSION_COOKIE}=`))!;
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Strict/i);
    expect(line).toMatch(/;\s*Path=\/(;|$)/);
    expect(line).not.toMatch(/;\s*Secure/i);
    expect(Date.parse(/Expires=([^;]+)/i.exec(line)![1]!)).toBe(t0 + 12 * 3600_000);

    const session = await a.inject({
      url: '/api/v1/auth/session',
      headers: { cookie: sessionCookie(res.headers['set-cookie']) },
    });
    expect(session.statusCode).toBe(200);
    expect(session.json<SessionInfo>()).toEqual(body);
  });

  it('COOKIE_SECURE=true adds Secure to the cookie', async () => {
    const a = await app({ COOKIE_SECURE: 'true' });
    const res = await login(a, 'admin', 'opsmap-admin');
    expect(sessionCookie(res.headers['set-cookie'])).toBeTruthy();
    expect([res.headers['set-cookie']].flat().join('\n')).toMatch(/;\s*Secure/i);
  });

  it('a wrong password and an unknown user get the same 401, and no cookie', async () => {
    const a = await app();
    await createOfficer(a);
    const wrong = await login(a, 'zjw-duty', 'not the password');
    const unknown = await login(a, 'nobody', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await login(a, 'zjw-duty', 'correct horse battery')).statusCode).toBe(200);
  });

  it('a disabled user cannot log in, and their open session is refused on the next request', async () => {
    const a = await app();
    const password = await createOfficer(a);
    const ok = await login(a, 'zjw-duty', password);
    const cookie = sessionCookie(ok.headers['set-cookie']);
    expect((await a.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(200);

    const off = await a.inject({
      method: 'PATCH',
      url: '/api/v1/admin/users/zjw-duty',
      headers: await sessionHeaders(a, principals.admin),
      payload: { disabled: true },
    });
    expect(off.json()).toMatchObject({ username: 'zjw-duty', disabled: true });
    expect((await a.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(401);
    expect((await login(a, 'zjw-duty', password)).statusCode).toBe(401);
  });

  it('an expired session is refused', async () => {
    let t = Date.parse('2025-07-01T08:00:00Z');
    const a = await app({ SESSION_TTL_H: '1' }, { now: () => t });
    const headers = await sessionHeaders(a, principals.townLeader);
    expect((await a.inject({ url: '/api/v1/auth/session', headers })).statusCode).toBe(200);
    t += 3600_000 - 1000;
    expect((await a.inject({ url: '/api/v1/auth/session', headers })).statusCode).toBe(200);
    t += 2000;
    const late = await a.inject({ url: '/api/v1/auth/session', headers });
    expect(late.statusCode).toBe(401);
    expect(late.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('a tampered cookie is refused', async () => {
    const a = await app();
    const { cookie } = await sessionHeaders(a, principals.townLeader);
    const [head, payload, sig] = cookie.split('=', 2)[1]!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin', role: 'admin' })).toString('base64url');
    const res = await a.inject({
      url: '/api/v1/auth/session',
      headers: { cookie: `${SESSION_COOKIE}=${head}.${forged}.${sig}` },
    });
    expect(res.statusCode).toBe(401);
  });

  it('LOGIN_RATE_LIMIT attempts per minute per client, then 429 with Retry-After', async () => {
    const a = await app({ LOGIN_RATE_LIMIT: '3' });
    for (let i = 0; i < 3; i++) expect((await login(a, 'admin', 'wrong')).statusCode).toBe(401);
    const limited = await login(a, 'admin', 'opsmap-admin');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Other routes are not limited.
    const headers = await sessionHeaders(a, principals.admin);
    for (let i = 0; i < 5; i++) expect((await a.inject({ url: '/api/v1/auth/session', headers })).statusCode).toBe(200);
  });

  it('logout clears the cookie', async () => {
    const a = await app();
    const res = await a.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: await sessionHeaders(a, principals.townLeader),
    });
    expect(res.statusCode).toBe(204);
    const line = [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${SESSION_COOKIE}=`))!;
    expect(line).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect(line).toMatch(/Expires=Thu, 01 Jan 1970/i);
  });
});

describe('CSRF', () => {
  const createWall = { name: '镇大屏', role: 'wall', scope: ZHANGJIAWAN };

  it('a cookie-authenticated write without the token, or with a wrong one, is refused with 403 csrf', async () => {
    const a = await app();
    const { cookie } = await sessionHeaders(a, principals.admin);
    const none = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/devices',
      headers: { cookie },
      payload: createWall,
    });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({ code: 'csrf' });
    // The token of another session does not fit this one.
    const other = await sessionHeaders(a, principals.admin);
    const wrong = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/devices',
      headers: { cookie, [CSRF_HEADER]: other[CSRF_HEADER] },
      payload: createWall,
    });
    expect(wrong.statusCode).toBe(403);
    expect((await a.inject({ url: '/api/v1/admin/devices', headers: { cookie } })).json()).toEqual({ devices: [] });
  });

  it('the same write with the session token is accepted; reads need none', async () => {
    const a = await app();
    const headers = await sessionHeaders(a, principals.admin);
    const res = await a.inject({ method: 'POST', url: '/api/v1/admin/devices', headers, payload: createWall });
    expect(res.statusCode).toBe(201);
    expect((await a.inject({ url: '/api/v1/admin/devices', headers: { cookie: headers.cookie } })).statusCode).toBe(
      200,
    );
  });

  it('the token from GET /auth/session is the one the write needs', async () => {
    const a = await app();
    const res = await login(a, 'admin', 'opsmap-admin');
    const cookie = sessionCookie(res.headers['set-cookie']);
    const { csrfToken } = (await a.inject({ url: '/api/v1/auth/session', headers: { cookie } })).json<SessionInfo>();
    const write = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/devices',
      headers: { cookie, [CSRF_HEADER]: csrfToken },
      payload: createWall,
    });
    expect(write.statusCode).toBe(201);
  });
});

describe('device tokens', () => {
  it('a Bearer device token works without CSRF, and is refused right after revocation (token, device cookie, socket handshake)', async () => {
    const a = await app();
    const admin = await sessionHeaders(a, principals.admin);
    const created = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/devices',
      headers: admin,
      payload: { name: '张家湾大屏', role: 'wall', scope: '张家湾镇' },
    });
    expect(created.statusCode).toBe(201);
    const { device, token } = created.json<{ device: { id: string }; token: string }>();
    expect(token.startsWith(`${device.id}.`)).toBe(true);
    // The list never shows the token or its hash.
    expect(JSON.stringify((await a.inject({ url: '/api/v1/admin/devices', headers: admin })).json())).not.toContain(
      token.split('.')[1]!,
    );

    const bearer = { authorization: `Bearer ${token}` };
    const asToken = await a.inject({ url: '/api/v1/auth/session', headers: bearer });
    expect(asToken.json<SessionInfo>().principal).toEqual({
      kind: 'device',
      id: device.id,
      name: '张家湾大屏',
      role: 'wall',
      scope: ZHANGJIAWAN,
    });

    // The wall's one-time set-up: the token becomes a device cookie.
    const setUp = await a.inject({ method: 'POST', url: '/api/v1/auth/device', payload: { token } });
    expect(setUp.statusCode).toBe(200);
    const cookie = sessionCookie(setUp.headers['set-cookie']);
    expect(
      (await a.inject({ url: '/api/v1/auth/session', headers: { cookie } })).json<SessionInfo>().principal.id,
    ).toBe(device.id);
    expect(await a.services.auth.fromHandshake({}, { token })).toMatchObject({ id: device.id });
    expect(await a.services.auth.fromHandshake({ cookie }, {})).toMatchObject({ id: device.id });

    const revoke = await a.inject({ method: 'DELETE', url: `/api/v1/admin/devices/${device.id}`, headers: admin });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json<{ revokedAt: number }>().revokedAt).toBeGreaterThan(0);

    expect((await a.inject({ url: '/api/v1/auth/session', headers: bearer })).statusCode).toBe(401);
    expect((await a.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(401);
    expect(await a.services.auth.fromHandshake({}, { token })).toBeNull();
    expect(await a.services.auth.fromHandshake({ cookie }, {})).toBeNull();
    expect((await a.inject({ method: 'POST', url: '/api/v1/auth/device', payload: { token } })).statusCode).toBe(401);
  });

  it('a token with a valid id but a wrong secret is refused', async () => {
    const a = await app();
    const { authorization } = await bearerHeaders(a, principals.wall);
    const forged = authorization.slice(0, -4) + (authorization.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await a.inject({ url: '/api/v1/auth/session', headers: { authorization } })).statusCode).toBe(200);
    expect((await a.inject({ url: '/api/v1/auth/session', headers: { authorization: forged } })).statusCode).toBe(401);
  });
});

describe('admin API', () => {
  it('is for admins only', async () => {
    const a = await app();
    expect((await a.inject({ url: '/api/v1/admin/users' })).statusCode).toBe(401);
    const officer = await a.inject({
      url: '/api/v1/admin/users',
      headers: await sessionHeaders(a, principals.districtOfficer),
    });
    expect(officer.statusCode).toBe(403);
    expect(officer.json()).toMatchObject({ code: 'forbidden' });
  });

  it('checks the scope: the district or a town; a leader only a town; the answer never carries a hash', async () => {
    const a = await app();
    const headers = await sessionHeaders(a, principals.admin);
    const post = (payload: Record<string, unknown>) =>
      a.inject({ method: 'POST', url: '/api/v1/admin/users', headers, payload });
    expect(
      (await post({ username: 'l1', role: 'leader', scope: 'district:110112', password: 'long enough' })).statusCode,
    ).toBe(400);
    expect(
      (await post({ username: 'l2', role: 'leader', scope: 'town:999', password: 'long enough' })).statusCode,
    ).toBe(400);
    const ok = await post({ username: 'l3', role: 'leader', scope: 'town:110112104' });
    expect(ok.statusCode).toBe(201);
    const { user, password } = ok.json<{ user: Record<string, unknown>; password: string }>();
    expect(user).toMatchObject({ username: 'l3', role: 'leader', scope: 'town:110112104', disabled: false });
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(
      (await post({ username: 'l3', role: 'officer', scope: 'district:110112', password: 'long enough' })).statusCode,
    ).toBe(409);
    const list = await a.inject({ url: '/api/v1/admin/users', headers });
    expect(list.body).not.toMatch(/scrypt|passwordHash/);
    expect((await login(a, 'l3', password)).statusCode).toBe(200);
  });

  it('stores passwords hashed with scrypt and a salt of their own', async () => {
    const a = await app();
    const headers = await sessionHeaders(a, principals.admin);
    for (const username of ['p1', 'p2']) {
      await a.inject({
        method: 'POST',
        url: '/api/v1/admin/users',
        headers,
        payload: { username, role: 'officer', scope: 'district:110112', password: 'same password' },
      });
    }
    const [h1, h2] = await Promise.all(
      ['p1', 'p2'].map(async (u) => (await a.services.auth.users.getUser(u))!.passwordHash),
    );
    expect(h1).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(h1).not.toContain('same password');
    expect(h1).not.toBe(h2);
  });
});

describe('headers and CORS', () => {
  it('sends a CSP, nosniff and no framing', async () => {
    const a = await app();
    const res = await a.inject({ url: '/healthz' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('worker-src');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('the page itself (index.html from the client folder) carries the same headers', async () => {
    const clientDir = mkdtempSync(path.join(tmpdir(), 'opsmap-client-'));
    try {
      writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>t</title>');
      const a = await app({}, { clientDir });
      const page = await a.inject({ url: '/wall?device=x' });
      expect(page.statusCode).toBe(200);
      expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
      expect(page.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      rmSync(clientDir, { recursive: true, force: true });
    }
  });

  it('a foreign origin gets no Access-Control-Allow-Origin; a configured one does', async () => {
    const a = await app({ CORS_ORIGINS: 'https://ops.example.org' });
    const foreign = await a.inject({ url: '/healthz', headers: { origin: 'https://evil.example.com' } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await a.inject({
      method: 'OPTIONS',
      url: '/api/v1/admin/users',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await a.inject({ url: '/healthz', headers: { origin: 'https://ops.example.org' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ops.example.org');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
  });

  it('with no CORS_ORIGINS, no origin is allowed', async () => {
    const a = await app();
    const res = await a.inject({ url: '/healthz', headers: { origin: 'http://localhost:5173' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('logs', () => {
  it('never hold a password, a session cookie or a device token, even at trace level', async () => {
    const lines: string[] = [];
    const a = await app(
      { LOG_LEVEL: 'trace', ADMIN_PASSWORD: 'demo-admin-secret-pw' },
      { logStream: { write: (l) => void lines.push(l) } },
    );
    const res = await login(a, 'admin', 'demo-admin-secret-pw');
    expect(res.statusCode).toBe(200);
    const cookie = sessionCookie(res.headers['set-cookie']);
    const { csrfToken } = res.json<SessionInfo>();
    await login(a, 'admin', 'a-wrong-password-typed');
    const created = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/devices',
      headers: { cookie, [CSRF_HEADER]: csrfToken },
      payload: { name: '大屏', role: 'wall', scope: 'district:110112' },
    });
    const { token } = created.json<{ token: string }>();
    await a.inject({ url: `/wall?device=${encodeURIComponent(token)}` });
    await a.inject({ url: '/api/v1/auth/session', headers: { authorization: `Bearer ${token}` } });
    await a.inject({ method: 'POST', url: '/api/v1/auth/device', payload: { token } });

    const log = lines.join('');
    // The test reads something: the requests were logged at this level.
    expect(log).toContain('/api/v1/auth/login');
    expect(log).toContain('/wall?device=[Redacted]');
    for (const secret of [
      'demo-admin-secret-pw',
      'a-wrong-password-typed',
      cookie.split('=')[1]!,
      csrfToken,
      token,
      token.split('.')[1]!,
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it('the demo admin warning names the default password and how to change it', async () => {
    const lines: string[] = [];
    await app({ LOG_LEVEL: 'warn' }, { logStream: { write: (l) => void lines.push(l) } });
    const warning = lines.find((l) => l.includes('demo admin'));
    expect(warning).toContain('opsmap-admin');
    expect(warning).toContain('npm run users -- passwd admin');
  });
});
