// The UserStore in the same SQLite file as the event log, on its own connection: users and devices are
// small, read on every request by primary key, and written only by an admin. The tables are created when
// missing (CREATE IF NOT EXISTS), independent of the event log's migrations, so either can be opened first.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AreaKey } from '../contract/areas';
import type { DeviceRecord, DeviceRole, UserRecord, UserRole, UserStore } from '../auth/types';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    username      TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'leader')),
    scope         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE TABLE IF NOT EXISTS devices (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('wall', 'feed')),
    scope      TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;`;

interface UserRow {
  username: string;
  name: string;
  role: string;
  scope: string;
  password_hash: string;
  created_at: number;
  disabled: number;
}

interface DeviceRow {
  id: string;
  name: string;
  role: string;
  scope: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

// The CHECK constraints keep role to these values; scope is written only from validated AreaKeys.
const userOf = (r: UserRow): UserRecord => ({
  username: r.username,
  name: r.name,
  role: r.role as UserRole,
  scope: r.scope as AreaKey,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  ...(r.disabled ? { disabled: true } : {}),
});

const deviceOf = (r: DeviceRow): DeviceRecord => ({
  id: r.id,
  name: r.name,
  role: r.role as DeviceRole,
  scope: r.scope as AreaKey,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
});

export function openSqliteUserStore(path: string): UserStore {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
  } catch (err) {
    db.close();
    throw err;
  }

  const getUser = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const listUsers = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username');
  const putUser = db.prepare(
    `INSERT INTO users (username, name, role, scope, password_hash, created_at, disabled)
     VALUES (@username, @name, @role, @scope, @password_hash, @created_at, @disabled)
     ON CONFLICT (username) DO UPDATE SET name = excluded.name, role = excluded.role, scope = excluded.scope,
       password_hash = excluded.password_hash, created_at = excluded.created_at, disabled = excluded.disabled`,
  );
  const countUsers = db.prepare<[], number>('SELECT count(*) FROM users').pluck();
  const getDevice = db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?');
  const listDevices = db.prepare<[], DeviceRow>('SELECT * FROM devices ORDER BY created_at, id');
  const putDevice = db.prepare(
    `INSERT INTO devices (id, name, role, scope, token_hash, created_at, revoked_at)
     VALUES (@id, @name, @role, @scope, @token_hash, @created_at, @revoked_at)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, scope = excluded.scope,
       token_hash = excluded.token_hash, created_at = excluded.created_at, revoked_at = excluded.revoked_at`,
  );
  const revoke = db.prepare<[number, string]>('UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?');

  return {
    getUser: async (username) => {
      const row = getUser.get(username);
      return row && userOf(row);
    },
    // Reads on this connection are synchronous and cheap: one statement per name is no round trip.
    getUsers: async (usernames) => usernames.flatMap((n) => getUser.all(n).map(userOf)),
    listUsers: async () => listUsers.all().map(userOf),
    putUser: async (u) => {
      putUser.run({
        username: u.username,
        name: u.name,
        role: u.role,
        scope: u.scope,
        password_hash: u.passwordHash,
        created_at: u.createdAt,
        disabled: u.disabled ? 1 : 0,
      });
    },
    countUsers: async () => countUsers.get() ?? 0,
    getDevice: async (id) => {
      const row = getDevice.get(id);
      return row && deviceOf(row);
    },
    getDevices: async (ids) => ids.flatMap((id) => getDevice.all(id).map(deviceOf)),
    listDevices: async () => listDevices.all().map(deviceOf),
    putDevice: async (d) => {
      putDevice.run({
        id: d.id,
        name: d.name,
        role: d.role,
        scope: d.scope,
        token_hash: d.tokenHash,
        created_at: d.createdAt,
        revoked_at: d.revokedAt ?? null,
      });
    },
    revokeDevice: async (id, at) => revoke.run(at, id).changes > 0,
    close: async () => {
      if (db.open) db.close();
    },
  };
}
