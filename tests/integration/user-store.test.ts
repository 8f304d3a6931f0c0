// The UserStore contract, run against every implementation. SQLite also keeps its records across a reopen
// and shares the event log's file without disturbing it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceRecord, UserRecord, UserStore } from '../../server/auth/types';
import { createMemoryUserStore } from '../../server/store/users-memory';
import { openSqliteUserStore } from '../../server/store/users-sqlite';
import { openSqliteStore } from '../../server/store/sqlite';

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

const IMPLEMENTATIONS: { name: string; open: () => UserStore }[] = [
  { name: 'memory', open: createMemoryUserStore },
  { name: 'sqlite', open: () => openSqliteUserStore(path.join(dir, 'opsmap.sqlite')) },
];

describe.each(IMPLEMENTATIONS)('UserStore: $name', ({ open }) => {
  let store: UserStore;
  beforeEach(() => {
    store = open();
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

    await store.putUser(user('zhang', { role: 'leader', scope: 'town:110112105', passwordHash: 'scrypt$new', disabled: true }));
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
