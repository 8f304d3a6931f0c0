// Managing users and devices, once, for the admin API and the CLI: the same checks and the same answers.
import type { AreaTree } from '../contract/areas';
import type { DeviceView, UserView } from '../contract/admin';
import type { PrincipalKind } from '../contract/auth';
import { generatePassword, hashPassword } from './password';
import { hashDeviceToken, newDeviceId, newDeviceToken } from './device-token';
import { resolveScope } from './scope';
import type { DeviceRecord, DeviceRole, UserRecord, UserRole, UserStore } from './types';

export const userView = (u: UserRecord): UserView => ({
  username: u.username,
  name: u.name,
  role: u.role,
  scope: u.scope,
  createdAt: u.createdAt,
  disabled: u.disabled === true,
});

export const deviceView = (d: DeviceRecord): DeviceView => ({
  id: d.id,
  name: d.name,
  role: d.role,
  scope: d.scope,
  createdAt: d.createdAt,
  revokedAt: d.revokedAt ?? null,
});

export type AccountResult<T> =
  { ok: true; value: T } | { ok: false; code: 'invalid' | 'exists' | 'not_found'; message: string };

export interface Accounts {
  addUser(input: {
    username: string;
    name?: string;
    role: UserRole;
    scope: string;
    password?: string;
  }): Promise<AccountResult<{ user: UserRecord; generatedPassword?: string }>>;
  /** Sets the password and/or the disabled flag. */
  updateUser(username: string, change: { password?: string; disabled?: boolean }): Promise<AccountResult<UserRecord>>;
  addDevice(input: {
    name: string;
    role: DeviceRole;
    scope: string;
  }): Promise<AccountResult<{ device: DeviceRecord; token: string }>>;
  revokeDevice(id: string): Promise<AccountResult<DeviceRecord>>;
}

/**
 * `changed`: told of a user or device changed after it is stored, and waited for (the server: every node forgets
 * its cached copy and cuts off a revoked device before the admin's answer). A new one needs no telling: nothing
 * is cached of a principal the store does not know.
 */
export function createAccounts(
  users: UserStore,
  tree: Pick<AreaTree, 'root' | 'nodes'>,
  now: () => number = Date.now,
  changed: (kind: PrincipalKind, id: string) => Promise<void> = async () => {},
): Accounts {
  return {
    async addUser({ username, name, role, scope, password }) {
      const where = resolveScope(tree, scope, role);
      if (!where.ok) return { ok: false, code: 'invalid', message: where.message };
      if (await users.getUser(username))
        return { ok: false, code: 'exists', message: `user ${username} exists already` };
      const chosen = password ?? generatePassword();
      const user: UserRecord = {
        username,
        name: name ?? username,
        role,
        scope: where.scope,
        passwordHash: await hashPassword(chosen),
        createdAt: now(),
      };
      await users.putUser(user);
      return { ok: true, value: { user, ...(password === undefined ? { generatedPassword: chosen } : {}) } };
    },
    async updateUser(username, change) {
      const user = await users.getUser(username);
      if (!user) return { ok: false, code: 'not_found', message: `no user ${username}` };
      const next: UserRecord = { ...user };
      if (change.password !== undefined) next.passwordHash = await hashPassword(change.password);
      if (change.disabled !== undefined) {
        if (change.disabled) next.disabled = true;
        else delete next.disabled;
      }
      await users.putUser(next);
      await changed('user', username);
      return { ok: true, value: next };
    },
    async addDevice({ name, role, scope }) {
      const where = resolveScope(tree, scope, role);
      if (!where.ok) return { ok: false, code: 'invalid', message: where.message };
      const id = newDeviceId(role);
      const token = newDeviceToken(id);
      const device: DeviceRecord = {
        id,
        name,
        role,
        scope: where.scope,
        tokenHash: hashDeviceToken(token),
        createdAt: now(),
      };
      await users.putDevice(device);
      return { ok: true, value: { device, token } };
    },
    async revokeDevice(id) {
      if (!(await users.revokeDevice(id, now()))) return { ok: false, code: 'not_found', message: `no device ${id}` };
      await changed('device', id);
      const device = await users.getDevice(id);
      return device ? { ok: true, value: device } : { ok: false, code: 'not_found', message: `no device ${id}` };
    },
  };
}
