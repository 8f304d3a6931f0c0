// The UserStore in the same PostgreSQL schema as the event log, on its own pool: the tables come from the same
// migration list (migrations/postgres.ts), so either store can be opened first. Same semantics as
// users-sqlite.ts, checked by tests/integration/user-store.test.ts.
import type { AreaKey } from '../contract/areas';
import type { DeviceRecord, DeviceRole, UserRecord, UserRole, UserStore } from '../auth/types';
import { openPostgresPool, quoteIdent, type PostgresOptions } from './postgres';

interface UserRow {
  username: string;
  name: string;
  role: string;
  scope: string;
  password_hash: string;
  created_at: string;
  disabled: boolean;
}

interface DeviceRow {
  id: string;
  name: string;
  role: string;
  scope: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

// BIGINT comes back as text (pg will not guess at precision); epoch milliseconds fit a double exactly.
const userOf = (r: UserRow): UserRecord => ({
  username: r.username,
  name: r.name,
  role: r.role as UserRole,
  scope: r.scope as AreaKey,
  passwordHash: r.password_hash,
  createdAt: Number(r.created_at),
  ...(r.disabled ? { disabled: true } : {}),
});

const deviceOf = (r: DeviceRow): DeviceRecord => ({
  id: r.id,
  name: r.name,
  role: r.role as DeviceRole,
  scope: r.scope as AreaKey,
  tokenHash: r.token_hash,
  createdAt: Number(r.created_at),
  ...(r.revoked_at !== null ? { revokedAt: Number(r.revoked_at) } : {}),
});

export async function openPostgresUserStore(options: PostgresOptions): Promise<UserStore> {
  const { pool, schema } = await openPostgresPool(options);
  const s = quoteIdent(schema);
  // COLLATE "C": byte order, which is the order SQLite's BINARY and the memory store give; the database's
  // default collation (en_US and the like) would sort 'B' between 'a' and 'c'.
  return {
    getUser: async (username) => {
      const { rows } = await pool.query<UserRow>(`SELECT * FROM ${s}.users WHERE username = $1`, [username]);
      return rows[0] && userOf(rows[0]);
    },
    getUsers: async (usernames) =>
      (await pool.query<UserRow>(`SELECT * FROM ${s}.users WHERE username = ANY($1::text[])`, [usernames])).rows.map(
        userOf,
      ),
    listUsers: async () =>
      (await pool.query<UserRow>(`SELECT * FROM ${s}.users ORDER BY username COLLATE "C"`)).rows.map(userOf),
    putUser: async (u) => {
      await pool.query(
        `INSERT INTO ${s}.users (username, name, role, scope, password_hash, created_at, disabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (username) DO UPDATE SET name = excluded.name, role = excluded.role, scope = excluded.scope,
           password_hash = excluded.password_hash, created_at = excluded.created_at, disabled = excluded.disabled`,
        [u.username, u.name, u.role, u.scope, u.passwordHash, u.createdAt, u.disabled === true],
      );
    },
    countUsers: async () =>
      Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${s}.users`)).rows[0]!.n),
    getDevice: async (id) => {
      const { rows } = await pool.query<DeviceRow>(`SELECT * FROM ${s}.devices WHERE id = $1`, [id]);
      return rows[0] && deviceOf(rows[0]);
    },
    getDevices: async (ids) =>
      (await pool.query<DeviceRow>(`SELECT * FROM ${s}.devices WHERE id = ANY($1::text[])`, [ids])).rows.map(deviceOf),
    listDevices: async () =>
      (await pool.query<DeviceRow>(`SELECT * FROM ${s}.devices ORDER BY created_at, id COLLATE "C"`)).rows.map(
        deviceOf,
      ),
    putDevice: async (d) => {
      await pool.query(
        `INSERT INTO ${s}.devices (id, name, role, scope, token_hash, created_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, scope = excluded.scope,
           token_hash = excluded.token_hash, created_at = excluded.created_at, revoked_at = excluded.revoked_at`,
        [d.id, d.name, d.role, d.scope, d.tokenHash, d.createdAt, d.revokedAt ?? null],
      );
    },
    revokeDevice: async (id, at) =>
      ((await pool.query(`UPDATE ${s}.devices SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, [at, id]))
        .rowCount ?? 0) > 0,
    close: (() => {
      let closed: Promise<void> | undefined;
      return () => (closed ??= pool.end());
    })(),
  };
}
