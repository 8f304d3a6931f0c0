// The in-memory UserStore (STORE=memory, tests): lost on exit, like the memory event log.
import type { DeviceRecord, UserRecord, UserStore } from '../auth/types';

export function createMemoryUserStore(): UserStore {
  const users = new Map<string, UserRecord>();
  const devices = new Map<string, DeviceRecord>();
  // Copies in and out, so a caller mutating a record does not change the store behind its back.
  return {
    getUser: async (username) => {
      const u = users.get(username);
      return u && { ...u };
    },
    getUsers: async (usernames) => usernames.flatMap((n) => (users.has(n) ? [{ ...users.get(n)! }] : [])),
    listUsers: async () =>
      [...users.values()]
        .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
        .map((u) => ({ ...u })),
    putUser: async (user) => {
      users.set(user.username, { ...user });
    },
    countUsers: async () => users.size,
    getDevice: async (id) => {
      const d = devices.get(id);
      return d && { ...d };
    },
    getDevices: async (ids) => ids.flatMap((id) => (devices.has(id) ? [{ ...devices.get(id)! }] : [])),
    listDevices: async () =>
      [...devices.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((d) => ({ ...d })),
    putDevice: async (device) => {
      devices.set(device.id, { ...device });
    },
    revokeDevice: async (id, at) => {
      const d = devices.get(id);
      if (!d) return false;
      if (d.revokedAt === undefined) devices.set(id, { ...d, revokedAt: at });
      return true;
    },
    close: async () => {},
  };
}
