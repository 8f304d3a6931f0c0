// npm run users follows the store the configuration names: with STORE=postgres the real CLI process writes
// PostgreSQL (what every node of a cluster reads), not the local SQLite file, and says so on stderr without the
// password; a server on the same settings then logs the new user in and takes the new device token.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { runUsersCli } from '../../server/auth/cli';
import { openSqliteUserStore } from '../../server/store/users-sqlite';
import { testApp } from '../helpers/app';
import { ROOT } from '../helpers/paths';
import { dropSchema, randomSchema, RUN_POSTGRES, TEST_DATABASE_URL, tempDir } from '../helpers/store';

const dir = tempDir('opsmap-users-cli-');
const schemas: string[] = [];
const apps: App[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
  for (const schema of schemas) await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

/** The real process, as `npm run users` starts it, with only the store settings given here. */
function usersProcess(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number | null; out: string; err: string }> {
  const inherited = { ...process.env };
  for (const name of ['STORE', 'DATABASE_PATH', 'DATABASE_URL', 'DATABASE_SCHEMA']) delete inherited[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/auth/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...inherited, ...env },
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

/** The test database's URL with a password in it (trust auth ignores it), to check that none is printed. */
function urlWithPassword(): { url: string; password: string } {
  const url = new URL(TEST_DATABASE_URL);
  if (url.password === '') url.password = 'never-printed-pw';
  return { url: url.toString(), password: decodeURIComponent(url.password) };
}

describe('npm run users: the configured store', { timeout: 120_000 }, () => {
  it.skipIf(!RUN_POSTGRES)(
    'STORE=postgres: add, device and list go to PostgreSQL, and a server on the same settings sees them',
    async () => {
      const schema = randomSchema();
      schemas.push(schema);
      const sqliteFile = path.join(dir, 'untouched.sqlite');
      const { url, password } = urlWithPassword();
      const env = { STORE: 'postgres', DATABASE_URL: url, DATABASE_SCHEMA: schema, DATABASE_PATH: sqliteFile };

      const added = await usersProcess(
        env,
        'add',
        'chen',
        '--role',
        'officer',
        '--scope',
        'district:110112',
        '--name',
        '陈',
        '--password',
        'cluster password',
      );
      expect(added.code, added.err).toBe(0);
      const where = new URL(TEST_DATABASE_URL);
      expect(added.err).toContain(
        `users in PostgreSQL ${where.hostname}:${where.port || '5432'}/${where.pathname.slice(1)} schema ${schema}`,
      );
      expect(added.err).not.toContain(password);
      expect(added.err + added.out).not.toContain('postgres://');

      const device = await usersProcess(env, 'device', '分中心大屏', '--role', 'wall', '--scope', 'district:110112');
      expect(device.code, device.err).toBe(0);
      const token = /token \(shown once, keep it secret\): (\S+)/.exec(device.out)?.[1];
      expect(token).toBeDefined();
      const id = token!.split('.')[0]!;

      const list = await usersProcess(env, 'list');
      expect(list.code, list.err).toBe(0);
      expect(list.out).toMatch(/^chen\t陈\tofficer\tdistrict:110112\tactive$/m);
      const devices = await usersProcess(env, 'devices');
      expect(devices.out).toMatch(new RegExp(`^${id}\\t分中心大屏\\twall\\tdistrict:110112\\tactive$`, 'm'));
      // Nothing went to the SQLite file a node of the cluster never reads.
      expect(existsSync(sqliteFile)).toBe(false);

      const app = await testApp({ STORE: 'postgres', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema });
      apps.push(app);
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'chen', password: 'cluster password' },
      });
      expect(login.statusCode).toBe(200);
      expect(login.json()).toMatchObject({ principal: { id: 'chen', role: 'officer' } });
      const session = await app.inject({
        method: 'GET',
        url: '/api/v1/auth/session',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(session.statusCode).toBe(200);
      expect(session.json()).toMatchObject({ principal: { kind: 'device', id, role: 'wall' } });
    },
  );

  it('STORE=sqlite: the CLI writes the SQLite file of DATABASE_PATH and says which', async () => {
    const file = path.join(dir, 'var', 'opsmap.sqlite');
    const r = await usersProcess(
      { STORE: 'sqlite', DATABASE_PATH: file },
      'add',
      'liu',
      '--role',
      'admin',
      '--scope',
      'district:110112',
      '--password',
      'sqlite password',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`users in SQLite ${file}`);
    const store = openSqliteUserStore(file);
    try {
      expect(await store.getUser('liu')).toMatchObject({ username: 'liu', role: 'admin' });
    } finally {
      await store.close();
    }
  });

  it('STORE=memory is refused with the reason, and so is STORE=postgres without DATABASE_URL', async () => {
    const run = async (env: Record<string, string>) => {
      const err: string[] = [];
      const code = await runUsersCli(['list'], { out: () => {}, err: (l) => void err.push(l), env });
      return { code, err: err.join('\n') };
    };
    const memory = await run({ STORE: 'memory' });
    expect(memory.code).toBe(2);
    expect(memory.err).toContain('STORE=memory keeps users inside the running server only');
    const noUrl = await run({ STORE: 'postgres' });
    expect(noUrl.code).toBe(2);
    expect(noUrl.err).toContain('STORE=postgres needs DATABASE_URL');
  });
});
