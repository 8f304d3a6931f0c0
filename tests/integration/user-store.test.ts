// The UserStore contract, run against every implementation. SQLite and PostgreSQL also keep their records
// across a reopen and share the event log's file or schema without disturbing it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceRecord, UserRecord, UserStore } from '../../server/auth/types';
import { openPostgresStore } from '../../server/store/postgres';
import { createMemoryUserStore } from '../../server/store/users-memory';
import { openPostgresUserStore } from '../../server/store/users-postgres';
import { openSqliteUserStore } from '../../server/store/users-sqlite';
import { openSqliteStore } from '../../server/store/sqlite';
import { POSTGRES_PROBLEM, RUN_POSTGRES, TEST_DATABASE_URL, dropSchema, randomSchema } from '../helpers/store';

const user = (username: string, over: Partial<UserRecord> = {}): UserRecord => ({
  username,
  name: `名字 ${username}`,
  role: 'officer',
  scope: 'district:110112',
  passwordHash: `scrypt$32768$8$1$c2FsdA==$${username}`,
  createdAt: 1_750_000_000_000,
  ...over,
});

const device = (id: string, createdAt: number, over: Partial<DeviceRecord> = {}): DeviceRecord => ({
  id,
  name: `大屏 ${id}`,
  role: 'wall',
  scope: 'town:110112105',
  tokenHash: 'ab'.repeat(32),
  createdAt,
  ...over,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opsmap-users-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// A fresh PostgreSQL schema per test, dropped after it, like the event store harness.
let schema: string | undefined;
afterEach(async () => {
  if (schema !== undefined) await dropSchema(schema);
  schema = undefined;
});
const openPostgres = async (): Promise<UserStore> => {
  if (POSTGRES_PROBLEM !== undefined)
    throw new Error(`PostgreSQL at ${TEST_DATABASE_URL} did not answer: ${POSTGRES_PROBLEM}`);
  schema ??= randomSchema();
  return openPostgresUserStore({ connectionString: TEST_DATABASE_URL, schema });
};

const IMPLEMENTATIONS: { name: string; open: () => Promise<UserStore> }[] = [
  { name: 'memory', open: async () => createMemoryUserStore() },
  { name: 'sqlite', open: async () => openSqliteUserStore(path.join(dir, 'opsmap.sqlite')) },
  ...(RUN_POSTGRES ? [{ name: 'postgres', open: openPostgres }] : []),
];

describe.each(IMPLEMENTATIONS)('UserStore: $name', ({ open }) => {
  let store: UserStore;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(() => store.close());

  it('starts empty', async () => {
    expect(await store.countUsers()).toBe(0);
    expect(await store.listUsers()).toEqual([]);
    expect(await store.listDevices()).toEqual([]);
    expect(await store.getUser('admin')).toBeUndefined();
    expect(await store.getDevice('wall-00000000')).toBeUndefined();
  });

  it('puts, gets and lists users by name; a second put replaces', async () => {
    await store.putUser(user('zhang', { role: 'leader', scope: 'town:110112105' }));
    await store.putUser(user('admin', { role: 'admin' }));
    expect(await store.countUsers()).toBe(2);
    expect(await store.getUser('zhang')).toEqual(user('zhang', { role: 'leader', scope: 'town:110112105' }));
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['admin', 'zhang']);

    await store.putUser(
      user('zhang', { role: 'leader', scope: 'town:110112105', passwordHash: 'scrypt$new', disabled: true }),
    );
    expect(await store.countUsers()).toBe(2);
    expect(await store.getUser('zhang')).toMatchObject({ passwordHash: 'scrypt$new', disabled: true });
    await store.putUser(user('zhang'));
    expect((await store.getUser('zhang'))!.disabled).toBeUndefined();
  });

  it('a returned record is a copy', async () => {
    await store.putUser(user('zhang'));
    const got = (await store.getUser('zhang'))!;
    got.role = 'admin';
    expect((await store.getUser('zhang'))!.role).toBe('officer');
  });

  it('lists users in code-point order, as SQLite and the memory store do, whatever the collation', async () => {
    for (const name of ['b', 'B', 'a', '_x', 'a.b', 'ab']) await store.putUser(user(name));
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['B', '_x', 'a', 'a.b', 'ab', 'b']);
  });

  it('keeps devices in creation order and revokes once, keeping the first time', async () => {
    await store.putDevice(device('wall-000000b2', 2000));
    await store.putDevice(device('feed-000000a1', 1000, { role: 'feed', scope: 'district:110112' }));
    expect((await store.listDevices()).map((d) => d.id)).toEqual(['feed-000000a1', 'wall-000000b2']);
    expect(await store.getDevice('wall-000000b2')).toEqual(device('wall-000000b2', 2000));

    expect(await store.revokeDevice('wall-000000b2', 5000)).toBe(true);
    expect(await store.revokeDevice('wall-000000b2', 9000)).toBe(true);
    expect((await store.getDevice('wall-000000b2'))!.revokedAt).toBe(5000);
    expect((await store.getDevice('feed-000000a1'))!.revokedAt).toBeUndefined();
    expect(await store.revokeDevice('wall-ffffffff', 5000)).toBe(false);
  });

  it('reads many users or devices at once, leaving out the unknown ones', async () => {
    await store.putUser(user('zhang', { disabled: true }));
    await store.putUser(user('li'));
    await store.putDevice(device('wall-000000b2', 2000, { revokedAt: 3000 }));
    await store.putDevice(device('feed-000000a1', 1000, { role: 'feed' }));
    const users = await store.getUsers(['zhang', 'nobody', 'li']);
    expect(users.sort((a, b) => a.username.localeCompare(b.username))).toEqual([
      user('li'),
      user('zhang', { disabled: true }),
    ]);
    const devices = await store.getDevices(['wall-000000b2', 'wall-ffffffff', 'feed-000000a1']);
    expect(devices.sort((a, b) => a.createdAt - b.createdAt)).toEqual([
      device('feed-000000a1', 1000, { role: 'feed' }),
      device('wall-000000b2', 2000, { revokedAt: 3000 }),
    ]);
    expect(await store.getUsers([])).toEqual([]);
    expect(await store.getDevices([])).toEqual([]);
  });
});

describe('UserStore: sqlite file', () => {
  it('keeps users and devices across a reopen, in the event log file, beside the log', async () => {
    const file = path.join(dir, 'nested', 'opsmap.sqlite');
    const log = openSqliteStore(file);
    const first = openSqliteUserStore(file);
    await first.putUser(user('zhang'));
    await first.putDevice(device('wall-000000b2', 2000));
    await first.revokeDevice('wall-000000b2', 3000);
    await first.close();

    const again = openSqliteUserStore(file);
    expect(await again.getUser('zhang')).toEqual(user('zhang'));
    expect(await again.getDevice('wall-000000b2')).toEqual(device('wall-000000b2', 2000, { revokedAt: 3000 }));
    expect(await log.lastSeq()).toBe(0);
    await again.close();
    await log.close();
  });
});

describe.skipIf(!RUN_POSTGRES)('UserStore: postgres schema', () => {
  it('keeps users and devices across a reopen, in the event log schema, beside the log', async () => {
    const first = await openPostgres();
    // Opened second: the schema's migrations are shared, whichever store comes first.
    const log = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema: schema! });
    await first.putUser(user('zhang'));
    await first.putDevice(device('wall-000000b2', 2000));
    await first.revokeDevice('wall-000000b2', 3000);
    await first.close();
    await first.close();

    const again = await openPostgres();
    expect(await again.getUser('zhang')).toEqual(user('zhang'));
    expect(await again.getDevice('wall-000000b2')).toEqual(device('wall-000000b2', 2000, { revokedAt: 3000 }));
    expect(await log.lastSeq()).toBe(0);
    await again.close();
    await log.close();
  });
});
