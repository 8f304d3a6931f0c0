// npm run users: the real CLI process on a temporary DATABASE_PATH, then the server's own stores and
// authenticator read what it wrote (a password it printed logs in; a token it printed works until revoked).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../server/auth/authenticator';
import { openSqliteUserStore } from '../../server/store/users-sqlite';
import { runUsersCli } from '../../server/auth/cli';
import { ROOT } from '../helpers/paths';

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsmap-cli-'));
  db = path.join(dir, 'opsmap.sqlite');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real process, as `npm run users` starts it (slow on a busy machine: used once). */
function usersProcess(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/auth/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_PATH: db },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The same command in this process. */
async function users(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runUsersCli(args, {
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    env: { DATABASE_PATH: db },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function withAuth<T>(fn: (auth: ReturnType<typeof createAuthenticator>) => Promise<T>): Promise<T> {
  const store = openSqliteUserStore(db);
  try {
    return await fn(createAuthenticator({ users: store, secret: 'x'.repeat(32), sessionTtlMs: 3600_000 }));
  } finally {
    await store.close();
  }
}

describe('npm run users', { timeout: 60_000 }, () => {
  it('adds a leader by town name, with a generated password printed once that then logs in', async () => {
    const r = await usersProcess('add', 'zhang', '--role', 'leader', '--scope', '张家湾镇', '--name', '张三');
    expect(r.code).toBe(0);
    expect(r.out).toContain('leader, scope town:110112105');
    const password = /password \(shown once\): (\S+)/.exec(r.out)?.[1];
    expect(password).toBeDefined();
    const login = await withAuth((auth) => auth.login('zhang', password!));
    expect(login?.principal).toEqual({
      kind: 'user',
      id: 'zhang',
      name: '张三',
      role: 'leader',
      scope: 'town:110112105',
    });
  });

  it('refuses a leader for the whole district and an unknown town, with the reason', async () => {
    const district = await users(
      'add',
      'li',
      '--role',
      'leader',
      '--scope',
      'district:110112',
      '--password',
      'long enough',
    );
    expect(district.code).toBe(1);
    expect(district.err).toContain("a leader's scope must be a town");
    const unknown = await users('add', 'li', '--role', 'officer', '--scope', '不存在镇', '--password', 'long enough');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('neither the district');
    const usage = await users('add', 'li', '--role', 'wall', '--scope', 'district:110112');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('--role must be one of admin, officer, leader');
  });

  it('passwd sets a new password; disable refuses the login; list shows both', async () => {
    expect(
      (await users('add', 'wang', '--role', 'officer', '--scope', 'district:110112', '--password', 'first password'))
        .code,
    ).toBe(0);
    expect((await users('passwd', 'wang', '--password', 'second password')).code).toBe(0);
    expect(await withAuth((auth) => auth.login('wang', 'first password'))).toBeNull();
    expect(await withAuth((auth) => auth.login('wang', 'second password'))).not.toBeNull();
    expect((await users('disable', 'wang')).code).toBe(0);
    expect(await withAuth((auth) => auth.login('wang', 'second password'))).toBeNull();
    const list = await users('list');
    expect(list.out).toMatch(/^wang\t.*\tofficer\tdistrict:110112\tdisabled$/m);
    expect(list.out).toMatch(/^zhang\t张三\tleader\ttown:110112105\tactive$/m);
    expect(list.out).not.toContain('scrypt');
    expect((await users('passwd', 'nobody', '--password', 'whatever123')).code).toBe(1);
  });

  it('issues a wall token printed once with its set-up URL; it works until revoked', async () => {
    const r = await users('device', '指挥中心大屏', '--role', 'wall', '--scope', 'district:110112');
    expect(r.code).toBe(0);
    const token = /token \(shown once, keep it secret\): (\S+)/.exec(r.out)?.[1];
    expect(token).toBeDefined();
    expect(r.out).toContain(`/wall?device=${token}`);
    const id = token!.split('.')[0]!;
    expect((await withAuth((auth) => auth.fromHandshake({}, { token: token! })))?.id).toBe(id);

    expect((await users('devices')).out).toMatch(
      new RegExp(`^${id}\\t指挥中心大屏\\twall\\tdistrict:110112\\tactive$`, 'm'),
    );
    expect((await users('revoke', id)).code).toBe(0);
    expect(await withAuth((auth) => auth.fromHandshake({}, { token: token! }))).toBeNull();
    expect((await users('devices')).out).toMatch(new RegExp(`^${id}\\t.*\\trevoked \\d{4}-`, 'm'));
    expect((await users('devices')).out).not.toContain(token!.split('.')[1]!);
  });
});
