// Password hashes, device tokens, the generated secret, scope resolution and the auth configuration.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../server/auth/password';
import {
  deviceIdOf,
  deviceTokenMatches,
  hashDeviceToken,
  newDeviceId,
  newDeviceToken,
} from '../../server/auth/device-token';
import { resolveSecret } from '../../server/auth/secret';
import { resolveScope } from '../../server/auth/scope';
import { redactUrl } from '../../server/auth/redact';
import { ConfigError, loadConfig } from '../../server/config';
import type { AreaTree } from '../../server/contract/areas';

// A cheap cost for speed; the format and the check are what is tested here.
const FAST = { N: 1024, r: 8, p: 1 };

describe('passwords', () => {
  it('verify the right password only; two hashes of one password differ (salt)', async () => {
    const a = await hashPassword('通州 password 1', FAST);
    const b = await hashPassword('通州 password 1', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('通州 password 1', a)).toBe(true);
    expect(await verifyPassword('通州 password 2', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('the stored cost is the one used to check, so older hashes keep working after a cost change', async () => {
    const h = await hashPassword('pw-with-old-cost', { N: 2048, r: 4, p: 1 });
    expect(await verifyPassword('pw-with-old-cost', h)).toBe(true);
  });

  it('a value that is not such a hash never matches', async () => {
    for (const stored of [
      '',
      'none',
      'opsmap-admin',
      'scrypt$1024$8$1$$',
      'bcrypt$x$y$z$a$b',
      'scrypt$0$8$1$c2FsdA==$aGFzaA==',
    ]) {
      expect(await verifyPassword('opsmap-admin', stored)).toBe(false);
    }
  });
});

describe('device tokens', () => {
  it('<id>.<43 base64url characters>; the hash matches only the whole token', () => {
    const id = newDeviceId('wall');
    expect(id).toMatch(/^wall-[0-9a-f]{12}$/);
    const token = newDeviceToken(id);
    expect(deviceIdOf(token)).toBe(id);
    const hash = hashDeviceToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(deviceTokenMatches(token, hash)).toBe(true);
    expect(deviceTokenMatches(newDeviceToken(id), hash)).toBe(false);
  });

  it('malformed tokens find no id', () => {
    for (const t of [
      '',
      'wall-0000000a',
      '.abc',
      'wall-0000000a.short',
      'WALL-0000000a.' + 'a'.repeat(43),
      'wall-0000000a.' + 'a'.repeat(42) + '!',
    ]) {
      expect(deviceIdOf(t)).toBeUndefined();
    }
  });
});

describe('the generated secret', () => {
  it('is created once with mode 0600 and read back on the next start', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-secret-'));
    try {
      const file = path.join(dir, 'var', 'auth-secret');
      const first = resolveSecret(undefined, file);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(resolveSecret(undefined, file)).toBe(first);
      expect(readFileSync(file, 'utf8').trim()).toBe(first);
      expect(resolveSecret('configured-secret-configured-secret', file)).toBe('configured-secret-configured-secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a file (memory store) is new per process', () => {
    expect(resolveSecret(undefined, undefined)).not.toBe(resolveSecret(undefined, undefined));
  });
});

describe('scope', () => {
  const tree: Pick<AreaTree, 'root' | 'nodes'> = {
    root: 'district:110112',
    nodes: {
      'district:110112': {
        key: 'district:110112',
        level: 'district',
        id: '110112',
        name: '通州区',
        parent: null,
        bbox: [0, 0, 1, 1],
      },
      'town:110112105': {
        key: 'town:110112105',
        level: 'town',
        id: '110112105',
        name: '张家湾镇',
        parent: 'district:110112',
        bbox: [0, 0, 1, 1],
      },
      'grid:g1': {
        key: 'grid:g1',
        level: 'grid',
        id: 'g1',
        name: '一号网格',
        parent: 'town:110112105',
        bbox: [0, 0, 1, 1],
      },
    },
  };
  it('takes the district or a town, by key or by name; a leader only a town', () => {
    expect(resolveScope(tree, '张家湾镇', 'leader')).toEqual({ ok: true, scope: 'town:110112105' });
    expect(resolveScope(tree, 'town:110112105', 'officer')).toEqual({ ok: true, scope: 'town:110112105' });
    expect(resolveScope(tree, 'district:110112', 'wall')).toEqual({ ok: true, scope: 'district:110112' });
    expect(resolveScope(tree, 'district:110112', 'leader').ok).toBe(false);
    expect(resolveScope(tree, 'grid:g1', 'officer').ok).toBe(false);
    expect(resolveScope(tree, '宋庄镇', 'officer').ok).toBe(false);
  });
});

describe('auth configuration', () => {
  it('has working defaults', () => {
    const { auth } = loadConfig({});
    expect(auth).toEqual({
      secret: undefined,
      sessionTtlMs: 12 * 3600_000,
      principalCacheMs: 5000,
      cookieSecure: false,
      corsOrigins: [],
      loginRateLimit: 10,
      adminPassword: 'opsmap-admin',
    });
  });

  it('reads every variable and names the one that is wrong', () => {
    const { auth } = loadConfig({
      AUTH_SECRET: 's'.repeat(40),
      SESSION_TTL_H: '8',
      PRINCIPAL_CACHE_S: '0',
      COOKIE_SECURE: 'true',
      CORS_ORIGINS: 'https://a.example.org, http://b.local:8080',
      LOGIN_RATE_LIMIT: '5',
      ADMIN_PASSWORD: 'x-long-password',
    });
    expect(auth).toEqual({
      secret: 's'.repeat(40),
      sessionTtlMs: 8 * 3600_000,
      principalCacheMs: 0,
      cookieSecure: true,
      corsOrigins: ['https://a.example.org', 'http://b.local:8080'],
      loginRateLimit: 5,
      adminPassword: 'x-long-password',
    });
    expect(() => loadConfig({ AUTH_SECRET: 'short' })).toThrow(/AUTH_SECRET/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example.org/path' })).toThrow(ConfigError);
    expect(() => loadConfig({ COOKIE_SECURE: 'yes' })).toThrow(/COOKIE_SECURE/);
    expect(() => loadConfig({ LOGIN_RATE_LIMIT: '0' })).toThrow(/LOGIN_RATE_LIMIT/);
    expect(() => loadConfig({ PRINCIPAL_CACHE_S: '-1' })).toThrow(/PRINCIPAL_CACHE_S/);
  });
});

describe('log redaction of URLs', () => {
  it('cuts credentials from query strings and keeps the rest', () => {
    expect(redactUrl('/wall?device=wall-1.abc&lang=en')).toBe('/wall?device=[Redacted]&lang=en');
    expect(redactUrl('/osmand?id=R1&token=feed-1.xyz')).toBe('/osmand?id=R1&token=[Redacted]');
    // Open311 GeoReport v2 clients carry their key as api_key.
    expect(redactUrl('/api/v1/open311/requests.json?status=open&api_key=feed-1.xyz')).toBe(
      '/api/v1/open311/requests.json?status=open&api_key=[Redacted]',
    );
    expect(redactUrl('/api/v1/state?scope=town:1')).toBe('/api/v1/state?scope=town:1');
  });
});
